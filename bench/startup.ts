/**
 * Startup benchmark for the `ably` CLI (run with `deno task bench`).
 *
 * Measures the median wall-clock time from process spawn to exit of the real
 * CLI, run exactly as `deno task ably` runs it: `deno run <permission flags>
 * main.ts ...`, with the permission flags read from deno.json's `tasks.ably`
 * so there is one source of truth. Rows:
 *
 * - floor: `deno run` of an empty script with the same permission flags;
 * - `accounts logout --help`;
 * - `accounts logout --force --json` on configs of 1, 100, 1,000 and 10,000
 *   legacy-token accounts (no network), the config rewritten (untimed) before
 *   every run so that the current account exists;
 * - in process: smol-toml parse and stringify of each config, to separate the
 *   library's cost from the process's.
 *
 * Runs are interleaved (one of each row per round) so that drift in machine
 * load affects every row alike and the ratios to the floor stay fair.
 *
 * Usage: deno task bench [--runs N | --quick] [--json]
 */
import { fileURLToPath } from "node:url";
import { parse, stringify } from "smol-toml";

const DEFAULT_RUNS = 15;
const QUICK_RUNS = 5;
const WARMUP_RUNS = 3;
const ACCOUNT_COUNTS = [1, 100, 1_000, 10_000] as const;
const LOGOUT_ARGS = ["accounts", "logout", "--force", "--json"];
const HELP_ARGS = ["accounts", "logout", "--help"];
const FLAG_PREFIXES = ["--allow-", "--ignore-", "--deny-"];
const TARGET_RATIO = 2.5;
const TARGET_10K_MS = 300;

interface Options {
  runs: number;
  json: boolean;
}

interface Stats {
  medianMs: number;
  minMs: number;
  p90Ms: number;
}

interface Row {
  name: string;
  args: string[];
  /** Untimed set-up before each run (warm-up runs included). */
  prepare?: () => Promise<void>;
  /** Throws when a run did not do what it should. */
  verify: (result: Deno.CommandOutput) => void;
  samplesMs: number[];
}

interface InProcessResult {
  accounts: number;
  configBytes: number;
  parse: Stats;
  stringify: Stats;
  total: Stats;
}

class BenchError extends Error {}

const decoder = new TextDecoder();

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
      console.log(`  --runs N  timed runs per row (default ${DEFAULT_RUNS})`);
      console.log(`  --quick   ${QUICK_RUNS} timed runs per row`);
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

async function permissionFlags(denoJsonPath: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(denoJsonPath));
  const task = config?.tasks?.ably;
  const command = typeof task === "string" ? task : task?.command;
  if (typeof command !== "string") {
    throw new BenchError(`${denoJsonPath} has no tasks.ably command to take permission flags from`);
  }
  const flags = shellWords(command).filter((word) =>
    FLAG_PREFIXES.some((prefix) => word.startsWith(prefix))
  );
  if (flags.length === 0) {
    throw new BenchError(`tasks.ably in ${denoJsonPath} has no permission flags: ${command}`);
  }
  return flags;
}

// ---------------------------------------------------------------- configs

/** A config of `count` legacy-token accounts in the official CLI's layout. */
function configText(count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    parts.push(
      `[accounts.acct-${i}]
accountId = "id-${i}"
accountName = "Account ${i}"
accessToken = "legacy-token-${i}"
userEmail = "user${i}@example.com"

[accounts.acct-${i}.apps.app${i}]
apiKey = "app${i}.key${i}:secret${i}"
appName = "App ${i}"
keyId = "app${i}.key${i}"
keyName = "Root"
`,
    );
  }
  parts.push(`[current]\naccount = "acct-0"\n`);
  return parts.join("\n");
}

// ---------------------------------------------------------------- statistics

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  // Nearest-rank percentile.
  const p90Ms = sorted[Math.max(0, Math.ceil(0.9 * sorted.length) - 1)];
  return { medianMs, minMs: sorted[0], p90Ms };
}

function ms(value: number, digits = 1): string {
  return value.toFixed(digits);
}

// ---------------------------------------------------------------- running

function describeFailure(name: string, result: Deno.CommandOutput, why: string): BenchError {
  const stdout = decoder.decode(result.stdout).trim();
  const stderr = decoder.decode(result.stderr).trim();
  return new BenchError(
    `${name}: ${why} (exit code ${result.code})` +
      (stdout ? `\n--- stdout ---\n${stdout}` : "") +
      (stderr ? `\n--- stderr ---\n${stderr}` : ""),
  );
}

function exitsZero(name: string): (result: Deno.CommandOutput) => void {
  return (result) => {
    if (result.code !== 0) throw describeFailure(name, result, "did not exit 0");
  };
}

function logsOutSuccessfully(name: string): (result: Deno.CommandOutput) => void {
  return (result) => {
    exitsZero(name)(result);
    if (!decoder.decode(result.stdout).includes('"success":true')) {
      throw describeFailure(name, result, 'stdout does not contain "success":true');
    }
  };
}

/** Wall-clock ms from spawn to exit, with stdout and stderr drained. */
async function timeRun(
  row: Row,
  command: (args: string[]) => Deno.Command,
): Promise<number> {
  await row.prepare?.();
  const start = performance.now();
  const result = await command(row.args).output();
  const elapsed = performance.now() - start;
  row.verify(result);
  return elapsed;
}

function measureInProcess(count: number, text: string, runs: number): InProcessResult {
  const parseMs: number[] = [];
  const stringifyMs: number[] = [];
  const totalMs: number[] = [];
  for (let i = -WARMUP_RUNS; i < runs; i++) {
    const t0 = performance.now();
    const config = parse(text);
    const t1 = performance.now();
    const out = stringify(config);
    const t2 = performance.now();
    if (out.length === 0) throw new BenchError(`stringify of ${count} accounts produced nothing`);
    if (i < 0) continue;
    parseMs.push(t1 - t0);
    stringifyMs.push(t2 - t1);
    totalMs.push(t2 - t0);
  }
  return {
    accounts: count,
    configBytes: new TextEncoder().encode(text).length,
    parse: stats(parseMs),
    stringify: stats(stringifyMs),
    total: stats(totalMs),
  };
}

// ---------------------------------------------------------------- output

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

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const options = parseOptions(Deno.args);
  const repoDir = fileURLToPath(new URL("../", import.meta.url));
  const flags = await permissionFlags(fileURLToPath(new URL("../deno.json", import.meta.url)));
  const progress = (message: string) => console.error(message);

  const tempDir = await Deno.makeTempDir({ prefix: "ably-bench-" });
  try {
    const emptyScript = `${tempDir}/empty.ts`;
    await Deno.writeTextFile(emptyScript, "// empty\n");

    const baseEnv: Record<string, string> = {};
    for (const name of ["PATH", "HOME", "DENO_DIR"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) baseEnv[name] = value;
    }

    const commandIn = (configDir: string) => (args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", ...flags, ...args],
        cwd: repoDir,
        clearEnv: true,
        env: { ...baseEnv, ABLY_CLI_CONFIG_DIR: configDir },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      });

    const emptyConfigDir = `${tempDir}/config-none`;
    await Deno.mkdir(emptyConfigDir);

    const rows: (Row & { command: (args: string[]) => Deno.Command; accounts?: number })[] = [
      {
        name: "floor (empty script)",
        args: [emptyScript],
        verify: exitsZero("floor"),
        samplesMs: [],
        command: commandIn(emptyConfigDir),
      },
      {
        name: "accounts logout --help",
        args: ["main.ts", ...HELP_ARGS],
        verify: exitsZero("accounts logout --help"),
        samplesMs: [],
        command: commandIn(emptyConfigDir),
      },
    ];

    const texts = new Map<number, string>();
    for (const count of ACCOUNT_COUNTS) {
      const text = configText(count);
      texts.set(count, text);
      const dir = `${tempDir}/config-${count}`;
      await Deno.mkdir(dir, { mode: 0o700 });
      const file = `${dir}/config`;
      const name = `logout --force --json, ${count.toLocaleString("en-US")} account${
        count === 1 ? "" : "s"
      }`;
      rows.push({
        name,
        args: ["main.ts", ...LOGOUT_ARGS],
        prepare: () => Deno.writeTextFile(file, text, { mode: 0o600 }),
        verify: logsOutSuccessfully(name),
        samplesMs: [],
        command: commandIn(dir),
        accounts: count,
      });
    }

    progress(`deno ${Deno.version.deno}; permission flags from tasks.ably: ${flags.join(" ")}`);
    progress(`warm-up: ${WARMUP_RUNS} run(s) per row`);
    for (let i = 0; i < WARMUP_RUNS; i++) {
      for (const row of rows) await timeRun(row, row.command);
    }
    progress(`timing: ${options.runs} run(s) per row, interleaved`);
    for (let i = 0; i < options.runs; i++) {
      for (const row of rows) row.samplesMs.push(await timeRun(row, row.command));
      progress(`  round ${i + 1}/${options.runs} done`);
    }

    progress("in-process smol-toml parse + stringify");
    const inProcess = ACCOUNT_COUNTS.map((count) =>
      measureInProcess(count, texts.get(count)!, options.runs)
    );

    const floor = stats(rows[0].samplesMs);
    const results = rows.map((row) => {
      const s = stats(row.samplesMs);
      return {
        name: row.name,
        command: [
          "deno",
          "run",
          ...flags,
          ...row.args.map((a) => a === emptyScript ? "empty.ts" : a),
        ]
          .join(" "),
        ...(row.accounts === undefined ? {} : { accounts: row.accounts }),
        ...s,
        ratioToFloor: s.medianMs / floor.medianMs,
        samplesMs: row.samplesMs,
      };
    });

    const one = results.find((r) => r.accounts === 1)!;
    const tenK = results.find((r) => r.accounts === 10_000)!;
    const verdicts = {
      forcedLogoutWithinRatio: {
        target: TARGET_RATIO,
        ratio: one.ratioToFloor,
        pass: one.ratioToFloor <= TARGET_RATIO,
      },
      tenThousandAccountsUnderMs: {
        targetMs: TARGET_10K_MS,
        medianMs: tenK.medianMs,
        pass: tenK.medianMs < TARGET_10K_MS,
      },
    };

    if (options.json) {
      console.log(JSON.stringify(
        {
          deno: Deno.version.deno,
          os: Deno.build.os,
          arch: Deno.build.arch,
          runs: options.runs,
          warmupRuns: WARMUP_RUNS,
          permissionFlags: flags,
          rows: results,
          inProcess,
          verdicts,
        },
        null,
        2,
      ));
      return;
    }

    console.log(
      `\nably CLI startup: deno ${Deno.version.deno}, ${Deno.build.os}/${Deno.build.arch}, ` +
        `${options.runs} timed runs per row (after ${WARMUP_RUNS} warm-up), wall clock ms\n`,
    );
    console.log(table(
      ["case", "median", "min", "p90", "× floor"],
      results.map((r, i) => [
        r.name,
        ms(r.medianMs),
        ms(r.minMs),
        ms(r.p90Ms),
        i === 0 ? "1.00" : r.ratioToFloor.toFixed(2),
      ]),
      [false, true, true, true, true],
    ));

    console.log("\nIn process (warm), smol-toml on the same configs, median ms:\n");
    console.log(table(
      ["accounts", "config size", "parse", "stringify", "parse+stringify", "share of CLI median"],
      inProcess.map((r) => {
        const cli = results.find((x) => x.accounts === r.accounts)!;
        return [
          r.accounts.toLocaleString("en-US"),
          `${(r.configBytes / 1024).toFixed(1)} KiB`,
          ms(r.parse.medianMs, 2),
          ms(r.stringify.medianMs, 2),
          ms(r.total.medianMs, 2),
          `${((r.total.medianMs / cli.medianMs) * 100).toFixed(0)}%`,
        ];
      }),
      [true, true, true, true, true, true],
    ));

    const v = verdicts;
    console.log();
    console.log(
      `forced logout (1 account) within ${TARGET_RATIO}x floor: ` +
        `${v.forcedLogoutWithinRatio.pass ? "yes" : "no"} (${one.ratioToFloor.toFixed(2)}x)`,
    );
    console.log(
      `10,000 accounts under ${TARGET_10K_MS} ms: ` +
        `${v.tenThousandAccountsUnderMs.pass ? "yes" : "no"} (${ms(tenK.medianMs)} ms)`,
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
