/**
 * Test coverage of `src/` and `main.ts` (run with `deno task coverage`).
 *
 * Runs the whole suite as `deno task test` does (its flags read from deno.json),
 * with `--coverage`. The test runner sets `DENO_COVERAGE_DIR` in its own
 * environment, and `tests/helpers/cli.ts` passes it on to every CLI it spawns,
 * so code that runs only in spawned processes (main.ts, the real terminal,
 * signals) is counted too. Then prints the summary (branch, function and line
 * % per file) and writes an HTML report and an lcov file under coverage/
 * (gitignored).
 *
 * The report is printed even when a test fails; the exit code is then the
 * test run's.
 */
import { fileURLToPath } from "node:url";

const ROOT = new URL("../", import.meta.url);
const OUT = new URL("coverage/", ROOT);
const PROFILE = new URL("profile/", OUT);

/** Only the CLI's own code: everything under src/, and main.ts. */
const INCLUDE = `^${ROOT.href.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(src/|main\\.ts$)`;

async function deno(args: string[]): Promise<number> {
  const { code } = await new Deno.Command("deno", { args, cwd: ROOT }).spawn().status;
  return code;
}

/** The words of `deno task test` after `deno test`, up to (not including) its paths. */
async function testFlags(): Promise<{ flags: string[]; paths: string[] }> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  // Leading `NAME=value` words set the environment (DENO_JOBS); the run inherits ours.
  const words = String(config.tasks.test).trim().split(/\s+/).filter((word, i, all) =>
    !(/^[A-Z_]+=/.test(word) && all.slice(0, i).every((w) => /^[A-Z_]+=/.test(w)))
  );
  if (words[0] !== "deno" || words[1] !== "test") {
    throw new Error(`the test task must start with "deno test": ${config.tasks.test}`);
  }
  const rest = words.slice(2);
  return {
    flags: rest.filter((word) => word.startsWith("-")),
    paths: rest.filter((word) => !word.startsWith("-")),
  };
}

const { flags, paths } = await testFlags();
const tested = await deno([
  "test",
  ...flags,
  `--coverage=${fileURLToPath(PROFILE)}`,
  "--clean",
  ...paths,
]);
// A process the tests kill on purpose (SIGKILL mid-write, a deadline) can leave its profile
// half written: it covers nothing the others do not, and the report refuses it, so drop it.
for await (const entry of Deno.readDir(PROFILE)) {
  const file = new URL(entry.name, PROFILE);
  try {
    JSON.parse(await Deno.readTextFile(file));
  } catch {
    await Deno.remove(file);
    console.error(`coverage: left out ${entry.name}, a profile cut short by a killed process`);
  }
}
const report = (extra: string[]) =>
  deno(["coverage", fileURLToPath(PROFILE), `--include=${INCLUDE}`, ...extra]);
let reported = await report([]);
if (reported === 0) reported = await report(["--html"]);
if (reported === 0) {
  reported = await report(["--lcov", `--output=${fileURLToPath(new URL("lcov.info", OUT))}`]);
}
if (tested !== 0) console.error(`\ncoverage: the test run failed (exit ${tested}); see above`);
Deno.exit(tested || reported);
