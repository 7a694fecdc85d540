/**
 * Start-up time with and without V8's code cache, approximating the compiled binary offline:
 * `deno run` of the `deno bundle` output (one file, as `deno compile` embeds it) and of
 * main.ts, each with and without `--no-code-cache`, all with the `ably` task's flags. Runs
 * are interleaved (every variant once per round, in rotating order) after warm-ups, and the
 * medians are printed as a Markdown table.
 *
 * Usage: deno run --allow-read --allow-write --allow-run=deno scripts/bench_code_cache.ts [ROUNDS]
 */
import { ENTRYPOINT, runFlags } from "./compile.ts";

const rounds = Number(Deno.args[0] ?? 30);
const WARMUPS = 3;
const root = new URL("../", import.meta.url);
const rootPath = decodeURIComponent(root.pathname);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
const flags = runFlags(config.tasks.ably);

const work = await Deno.makeTempDir({ prefix: "ably-code-cache-" });
const bundle = `${work}/ably.js`;
const built = await new Deno.Command("deno", {
  // The native keychain module stays out, as in `deno task bundle` (loaded only when used).
  args: [
    "bundle",
    "--quiet",
    "--external",
    "@napi-rs/keyring",
    "--output",
    bundle,
    `${rootPath}${ENTRYPOINT}`,
  ],
}).output();
if (built.code !== 0) throw new Error(new TextDecoder().decode(built.stderr));
await Deno.writeTextFile(
  `${work}/config`,
  '[accounts.a]\naccountId = "a-id"\naccessToken = "t"\n\n[current]\naccount = "a"\n',
);

const commands: Record<string, string[]> = {
  "--version": ["--version"],
  "accounts list --json": ["accounts", "list", "--json"],
};
const variants: Record<string, (cache: boolean) => string[]> = {
  bundle: (
    cache,
  ) => ["run", "--no-config", ...(cache ? [] : ["--no-code-cache"]), ...flags, bundle],
  "main.ts": (cache) => [
    "run",
    "--config",
    `${rootPath}deno.json`,
    ...(cache ? [] : ["--no-code-cache"]),
    ...flags,
    `${rootPath}${ENTRYPOINT}`,
  ],
};

interface Case {
  name: string;
  args: string[];
  samples: number[];
}
const cases: Case[] = [];
for (const [command, commandArgs] of Object.entries(commands)) {
  for (const [variant, args] of Object.entries(variants)) {
    for (const cache of [true, false]) {
      cases.push({
        name: `${variant} | ${command} | ${cache ? "code cache" : "--no-code-cache"}`,
        args: [...args(cache), ...commandArgs],
        samples: [],
      });
    }
  }
}

async function once(c: Case): Promise<number> {
  const start = performance.now();
  const { code, stderr } = await new Deno.Command("deno", {
    args: c.args,
    cwd: work,
    env: { ABLY_CLI_CONFIG_DIR: work, NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`${c.name}: exit ${code}: ${new TextDecoder().decode(stderr)}`);
  return ms;
}

for (let i = 0; i < WARMUPS; i++) for (const c of cases) await once(c);
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[(i + round) % cases.length];
    c.samples.push(await once(c));
  }
}
await Deno.remove(work, { recursive: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`Deno ${Deno.version.deno}, ${Deno.build.target}, ${rounds} interleaved rounds\n`);
console.log("| run of | command | V8 code cache | median ms | min ms |");
console.log("| --- | --- | --- | ---: | ---: |");
for (const c of cases) {
  console.log(
    `| ${c.name} | ${median(c.samples).toFixed(1)} | ${Math.min(...c.samples).toFixed(1)} |`,
  );
}
