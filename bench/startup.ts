/**
 * Start-up benchmark for the `ably` CLI (run with `deno task bench`).
 *
 * Every case is a real process, run exactly as `deno task ably` runs the CLI:
 * `deno run <flags> main.ts ...` from the repository root, with the flags
 * (`-q` and the permissions) read from deno.json's `tasks.ably`, so there is
 * one source of truth. The floor is `deno run <same flags> empty.ts`, and
 * every case is reported as its median wall-clock time (spawn to exit) and
 * as a ratio to the floor's median. Runs are interleaved (one of each case
 * per round) so that drift in machine load affects every case alike.
 *
 * Cases: `--version`; `accounts logout --help`; `accounts logout b --force
 * --json` on a 2-account legacy config where `b` is not the current account;
 * `accounts logout --force --json` of the current account on legacy configs
 * of 1, 100, 1,000 and 10,000 accounts; `accounts list`, `token` and `env` of a file
 * account. Legacy tokens are not revoked, so
 * nothing touches the network; configs are rewritten (untimed) before every
 * run.
 *
 * Peak memory (max RSS) comes from separate, untimed rounds run under GNU
 * time (`/usr/bin/time -f %M -o FILE`, KiB), so that the timed runs carry no
 * wrapper; the largest value seen is reported. Without GNU time (macOS,
 * Windows, minimal Linux images) memory is "n/a" and the reason is printed.
 *
 * Targets (issue 8): `--version` ≤ 1.5× the floor, the 2-account logout
 * ≤ 1.8×, both ≤ 40 MiB; 10,000 accounts < 300 ms. A missed target is
 * reported, not an error: the exit code is non-zero only when a run fails.
 *
 * Usage: deno task bench [--runs N | --quick] [--json]
 */
import { fileURLToPath } from "node:url";
import { parse, stringify } from "smol-toml";

const DEFAULT_RUNS = 15;
const QUICK_RUNS = 5;
const WARMUP_RUNS = 3;
const MEMORY_RUNS = 3;
const GNU_TIME = "/usr/bin/time";

type Target =
  | { kind: "ratio"; max: number }
  | { kind: "ms"; below: number }
  | { kind: "mib"; max: number };

interface Case {
  name: string;
  /** What follows `deno run <flags>`. */
  args: string[];
  /** Config file text, rewritten before every run. */
  config?: string;
  /** Why stdout is wrong, or undefined when it is as expected. */
  check: (stdout: string) => string | undefined;
  targets: Target[];
}

interface Options {
  runs: number;
  json: boolean;
}

class BenchError extends Error {}

const decoder = new TextDecoder();
const repoDir = fileURLToPath(new URL("../", import.meta.url));

// ---------------------------------------------------------------- arguments

function parseOptions(args: string[]): Options {
  const options: Options = { runs: DEFAULT_RUNS, json: false };
  let quick = false;
  let runs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--quick") {
      quick = true;
    } else if (arg === "--json") {
      options.json = true;
    } else if (arg === "--runs" || arg.startsWith("--runs=")) {
      const value = arg === "--runs" ? args[++i] : arg.slice("--runs=".length);
      runs = Number(value);
      if (value === undefined || !Number.isInteger(runs) || runs < 1) {
        throw new BenchError(`--runs needs a positive integer, got ${value ?? "nothing"}`);
      }
    } else if (arg === "--help" || arg === "-h") {
      console.log("Usage: deno task bench [--runs N | --quick] [--json]");
      console.log(`  --runs N  timed runs per case (default ${DEFAULT_RUNS})`);
      console.log(`  --quick   ${QUICK_RUNS} timed runs per case`);
      console.log("  --json    print the raw results as JSON instead of the table");
      Deno.exit(0);
    } else {
      throw new BenchError(`Unknown argument: ${arg} (try --help)`);
    }
  }
  options.runs = runs ?? (quick ? QUICK_RUNS : DEFAULT_RUNS);
  return options;
}

// ---------------------------------------------------------------- deno.json

/** Splits a task command line into words, honouring simple quoting. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The flags of `tasks.ably` (`deno run <flags> main.ts`) and the package version. */
async function readDenoJson(): Promise<{ flags: string[]; version: string }> {
  const path = `${repoDir}deno.json`;
  const config = JSON.parse(await Deno.readTextFile(path));
  const task = config?.tasks?.ably;
  const command = typeof task === "string" ? task : task?.command;
  const words = typeof command === "string" ? shellWords(command) : [];
  const flags = words.slice(2, words.indexOf("main.ts"));
  if (
    words[0] !== "deno" || words[1] !== "run" || words.indexOf("main.ts") < 2 ||
    flags.some((flag) => !flag.startsWith("-"))
  ) {
    throw new BenchError(`tasks.ably in ${path} is not "deno run <flags> main.ts": ${command}`);
  }
  return { flags, version: String(config.version) };
}

// ---------------------------------------------------------------- cases

/** A config of legacy-token accounts in the official CLI's layout. */
function legacyConfig(aliases: string[], current: string): string {
  const parts = aliases.map((alias, i) =>
    `[accounts.${alias}]
accountId = "id-${i}"
accountName = "Account ${i}"
accessToken = "legacy-token-${i}"
userEmail = "user${i}@example.com"

[accounts.${alias}.apps.app${i}]
apiKey = "app${i}.key${i}:secret${i}"
appName = "App ${i}"
keyId = "app${i}.key${i}"
keyName = "Root"
`
  );
  parts.push(`[current]\naccount = "${current}"\n`);
  return parts.join("\n");
}

function manyAccounts(count: number): string {
  return legacyConfig(Array.from({ length: count }, (_, i) => `acct-${i}`), "acct-0");
}

const loggedOut = (alias: string) => (stdout: string) =>
  stdout.includes('"success":true') && stdout.includes(`"alias":"${alias}"`)
    ? undefined
    : `stdout has no successful logout of "${alias}"`;

function cases(emptyScript: string, version: string): Case[] {
  const logoutMany = [1, 100, 1_000, 10_000].map((count): Case => {
    const config = manyAccounts(count);
    const kib = new TextEncoder().encode(config).length / 1024;
    const size = kib >= 1024
      ? `${(kib / 1024).toFixed(1)} MiB`
      : `${kib.toFixed(kib < 10 ? 1 : 0)} KiB`;
    return {
      name: `accounts logout --force --json, ${count.toLocaleString("en-US")} account${
        count === 1 ? "" : "s"
      } (${size})`,
      args: ["main.ts", "accounts", "logout", "--force", "--json"],
      config,
      check: loggedOut("acct-0"),
      targets: count === 10_000 ? [{ kind: "ms", below: 300 }] : [],
    };
  });
  return [
    {
      name: "floor: deno run empty.ts",
      args: [emptyScript],
      check: () => undefined,
      targets: [],
    },
    {
      name: "--version",
      args: ["main.ts", "--version"],
      check: (stdout) =>
        stdout.trim() === version ? undefined : `stdout is not the version ${version}`,
      targets: [{ kind: "ratio", max: 1.5 }, { kind: "mib", max: 40 }],
    },
    {
      name: "accounts logout --help",
      args: ["main.ts", "accounts", "logout", "--help"],
      check: (stdout) => stdout.includes("USAGE") ? undefined : "stdout has no USAGE",
      targets: [],
    },
    {
      name: "accounts logout b --force --json, 2 accounts",
      args: ["main.ts", "accounts", "logout", "b", "--force", "--json"],
      config: legacyConfig(["a", "b"], "a"),
      check: loggedOut("b"),
      targets: [{ kind: "ratio", max: 1.8 }, { kind: "mib", max: 40 }],
    },
    {
      name: "accounts list, 2 accounts",
      args: ["main.ts", "accounts", "list"],
      config: legacyConfig(["a", "b"], "a"),
      check: (stdout) => stdout.includes("Found 2 accounts") ? undefined : "no account list",
      targets: [],
    },
    {
      // A file account whose token needs no refresh: no request, no lock; no worse than list.
      name: "accounts token, OAuth account (no refresh)",
      args: ["main.ts", "accounts", "token"],
      config: OAUTH_CONFIG,
      check: (stdout) => stdout === "bench_at_0001\n" ? undefined : "stdout is not the token",
      targets: [],
    },
    {
      // The same account as sh lines for eval, its current app's key too: no slower than token.
      name: "accounts env, OAuth account (no refresh)",
      args: ["main.ts", "accounts", "env"],
      config: OAUTH_CONFIG,
      check: (stdout) =>
        stdout.startsWith("export ABLY_ACCESS_TOKEN='bench_at_0001'\nexport ABLY_API_KEY='")
          ? undefined
          : "stdout is not the variables",
      targets: [],
    },
    ...logoutMany,
  ];
}

const OAUTH_CONFIG = `[accounts.acme]
accountId = "VgQpOZ"
accountName = "Acme Ltd"
authMethod = "oauth"
currentAppId = "aBcDeF"
oauthSessionKey = "jane@acme.example::ably.com"
userEmail = "jane@acme.example"

[accounts.acme.apps.aBcDeF]
apiKey = "aBcDeF.kEy123:bench_key_secret"
keyId = "kEy123"
keyName = "Root"

[oauthSessions."jane@acme.example::ably.com"]
accessToken = "bench_at_0001"
accessTokenExpiresAt = 4102444800000
oauthScope = "full_access"
refreshToken = "bench_rt_0001"

[current]
account = "acme"
`;

// ---------------------------------------------------------------- running

type Memory = { measured: true } | { measured: false; why: string };

/** Whether GNU time can report max RSS here (`-f %M`, in KiB). */
async function probeMemory(tempDir: string): Promise<Memory> {
  if (Deno.build.os !== "linux") {
    return { measured: false, why: `measured with GNU time on Linux only, not ${Deno.build.os}` };
  }
  const file = `${tempDir}/probe.time`;
  try {
    const { code } = await new Deno.Command(GNU_TIME, {
      args: ["-f", "%M", "-o", file, Deno.execPath(), "--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    if (code === 0 && readKiB(await Deno.readTextFile(file)) !== undefined) {
      return { measured: true };
    }
    return { measured: false, why: `${GNU_TIME} is not GNU time (no -f %M -o FILE)` };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return { measured: false, why: `no ${GNU_TIME} (GNU time) on this machine` };
  }
}

/** The max RSS in KiB from GNU time's output file: the last line, after any exit-status note. */
function readKiB(text: string): number | undefined {
  const last = text.trim().split("\n").pop() ?? "";
  return /^\d+$/.test(last) ? Number(last) : undefined;
}

interface Runner {
  /** One run: wall-clock ms from spawn to exit, or max RSS in KiB under GNU time. */
  run(c: Case, measure: "time" | "memory"): Promise<number>;
}

function runner(tempDir: string, flags: string[], all: Case[]): Runner {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  const configDirs = new Map(all.map((c, i) => [c, `${tempDir}/config-${i}`]));
  const timeFile = `${tempDir}/run.time`;

  return {
    async run(c, measure) {
      const configDir = configDirs.get(c)!;
      await Deno.mkdir(configDir, { recursive: true, mode: 0o700 });
      if (c.config !== undefined) {
        await Deno.writeTextFile(`${configDir}/config`, c.config, { mode: 0o600 });
      }
      const denoArgs = ["run", ...flags, ...c.args];
      const command = new Deno.Command(
        measure === "memory" ? GNU_TIME : Deno.execPath(),
        {
          args: measure === "memory"
            ? ["-f", "%M", "-o", timeFile, Deno.execPath(), ...denoArgs]
            : denoArgs,
          cwd: repoDir,
          clearEnv: true,
          env: { ...env, ABLY_CLI_CONFIG_DIR: configDir },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        },
      );
      const start = performance.now();
      const result = await command.output();
      const elapsedMs = performance.now() - start;

      const stdout = decoder.decode(result.stdout);
      const why = result.code === 0 ? c.check(stdout) : `exit code ${result.code}`;
      if (why) {
        const stderr = decoder.decode(result.stderr).trim();
        throw new BenchError(
          `${c.name}: ${why}` +
            (stdout.trim() ? `\n--- stdout ---\n${stdout.trim()}` : "") +
            (stderr ? `\n--- stderr ---\n${stderr}` : ""),
        );
      }
      if (measure === "time") return elapsedMs;
      const kib = readKiB(await Deno.readTextFile(timeFile));
      if (kib === undefined) throw new BenchError(`${c.name}: GNU time reported no max RSS`);
      return kib;
    },
  };
}

// ---------------------------------------------------------------- results

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank 90th percentile. */
function p90(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(0.9 * sorted.length) - 1)];
}

interface Verdict {
  target: string;
  value: number | null;
  /** null when it could not be measured here. */
  met: boolean | null;
}

function judge(target: Target, row: { medianMs: number; ratio: number; peakMiB: number | null }) {
  switch (target.kind) {
    case "ratio":
      return { target: `≤ ${target.max}×`, value: row.ratio, met: row.ratio <= target.max };
    case "ms":
      return {
        target: `< ${target.below} ms`,
        value: row.medianMs,
        met: row.medianMs < target.below,
      };
    case "mib":
      return {
        target: `≤ ${target.max} MiB`,
        value: row.peakMiB,
        met: row.peakMiB === null ? null : row.peakMiB <= target.max,
      };
  }
}

function metText(verdicts: Verdict[]): string {
  if (verdicts.length === 0) return "";
  const missed = verdicts.filter((v) => v.met === false).map((v) => v.target);
  if (missed.length) return `not met (${missed.join(", ")})`;
  return verdicts.some((v) => v.met === null) ? "met (memory n/a)" : "met";
}

function table(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    `| ${
      cells.map((cell, c) => rightAligned[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))
        .join(" | ")
    } |`;
  const rule = `|${
    widths.map((w, c) => rightAligned[c] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2)).join("|")
  }|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Warm, in-process smol-toml parse + stringify of a config: how much of a logout is TOML. */
function tomlMs(text: string, runs: number): number {
  const samples: number[] = [];
  for (let i = -WARMUP_RUNS; i < runs; i++) {
    const start = performance.now();
    stringify(parse(text));
    if (i >= 0) samples.push(performance.now() - start);
  }
  return median(samples);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const options = parseOptions(Deno.args);
  const { flags, version } = await readDenoJson();
  const progress = (message: string) => console.error(message);

  const tempDir = await Deno.makeTempDir({ prefix: "ably-bench-" });
  try {
    const emptyScript = `${tempDir}/empty.ts`;
    await Deno.writeTextFile(emptyScript, "// empty\n");
    const all = cases(emptyScript, version);
    const run = runner(tempDir, flags, all).run;
    const memory = await probeMemory(tempDir);
    const samplesMs = new Map(all.map((c) => [c, [] as number[]]));
    const samplesKiB = new Map(all.map((c) => [c, [] as number[]]));

    progress(`deno ${Deno.version.deno}; flags from tasks.ably: ${flags.join(" ")}`);
    progress(`warm-up: ${WARMUP_RUNS} round(s)`);
    for (let i = 0; i < WARMUP_RUNS; i++) for (const c of all) await run(c, "time");
    if (memory.measured) {
      progress(`peak memory: ${MEMORY_RUNS} round(s) under ${GNU_TIME} -f %M`);
      for (let i = 0; i < MEMORY_RUNS; i++) {
        for (const c of all) samplesKiB.get(c)!.push(await run(c, "memory"));
      }
    } else {
      progress(`peak memory: n/a (${memory.why})`);
    }
    progress(`timing: ${options.runs} round(s), interleaved`);
    for (let i = 0; i < options.runs; i++) {
      for (const c of all) samplesMs.get(c)!.push(await run(c, "time"));
      progress(`  round ${i + 1}/${options.runs} done`);
    }

    const floorMs = median(samplesMs.get(all[0])!);
    const rows = all.map((c) => {
      const ms = samplesMs.get(c)!;
      const kib = samplesKiB.get(c)!;
      const measured = {
        medianMs: median(ms),
        ratio: median(ms) / floorMs,
        peakMiB: kib.length ? Math.max(...kib) / 1024 : null,
      };
      return {
        name: c.name,
        command: ["deno", "run", ...flags, ...c.args.map((a) => a === emptyScript ? "empty.ts" : a)]
          .join(" "),
        ...measured,
        minMs: Math.min(...ms),
        p90Ms: p90(ms),
        verdicts: c.targets.map((t) => judge(t, measured)),
        samplesMs: ms,
        memorySamplesKiB: kib,
      };
    });
    const biggest = all[all.length - 1].config!;
    const toml10kMs = tomlMs(biggest, options.runs);

    if (options.json) {
      console.log(JSON.stringify(
        {
          deno: Deno.version.deno,
          os: Deno.build.os,
          arch: Deno.build.arch,
          runs: options.runs,
          warmupRuns: WARMUP_RUNS,
          memoryRuns: memory.measured ? MEMORY_RUNS : 0,
          memory: memory.measured ? `${GNU_TIME} -f %M (max RSS), largest of the runs` : null,
          memoryNotMeasured: memory.measured ? undefined : memory.why,
          flags,
          rows,
          inProcessToml10kMs: toml10kMs,
        },
        null,
        2,
      ));
      return;
    }

    console.log(
      `\nably CLI start-up: deno ${Deno.version.deno}, ${Deno.build.os}/${Deno.build.arch}; ` +
        `median of ${options.runs} interleaved runs (after ${WARMUP_RUNS} warm-up), wall clock\n`,
    );
    console.log(table(
      ["case", "median ms", "× floor", "peak MiB", "target", "met"],
      rows.map((r) => [
        r.name,
        r.medianMs.toFixed(1),
        r.ratio.toFixed(2),
        r.peakMiB === null ? "n/a" : r.peakMiB.toFixed(1),
        r.verdicts.map((v) => v.target).join(", "),
        metText(r.verdicts),
      ]),
      [false, true, true, true, false, false],
    ));
    console.log(
      `\npeak MiB: ${
        memory.measured
          ? `max RSS under ${GNU_TIME} -f %M, largest of ${MEMORY_RUNS} untimed runs`
          : `n/a: ${memory.why}`
      }`,
    );
    console.log(
      `in process, warm: smol-toml parse + stringify of the 10,000-account config ` +
        `${toml10kMs.toFixed(1)} ms (${
          (toml10kMs / rows[rows.length - 1].medianMs * 100).toFixed(0)
        }%` +
        ` of that row)`,
    );
  } finally {
    await Deno.remove(tempDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    if (error instanceof BenchError) {
      console.error(`bench: ${error.message}`);
      Deno.exit(1);
    }
    throw error;
  }
}
