/** Spawns the real CLI (`deno run` with the `ably` task's permissions) and captures what it did. */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { join } from "node:path";
import denoJson from "../../deno.json" with { type: "json" };
import { RUN_DEADLINE_MS, withDeadline } from "./deadline.ts";
import { ALL_SECRETS } from "./fixtures.ts";

export const MAIN = fromFileUrl(new URL("../../main.ts", import.meta.url));

/** The flags of `deno task ably` (permissions, quiet), so tests prove they are enough. */
export const PERMISSIONS: string[] = (() => {
  const words = denoJson.tasks.ably.split(/\s+/);
  return words.slice(words.indexOf("run") + 1, words.indexOf("main.ts"));
})();

let denoDir: string | undefined;
async function cacheDir(): Promise<string> {
  if (!denoDir) {
    const info = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
    denoDir = JSON.parse(new TextDecoder().decode(info.stdout)).denoDir as string;
  }
  return denoDir;
}

/**
 * The environment a spawned CLI sees: nothing of the developer's own Ably settings. Passed
 * through when set: what Windows processes need to start networking and find temp dirs, and
 * `DENO_COVERAGE_DIR` (set by `deno test --coverage`), so that code run only in spawned CLIs
 * counts in `deno task coverage`.
 */
export async function baseEnv(configDir: string): Promise<Record<string, string>> {
  const passed = Object.fromEntries(
    [
      "SYSTEMROOT",
      "SystemRoot",
      "TEMP",
      "TMP",
      "USERPROFILE",
      "PATHEXT",
      "COMSPEC",
      "DENO_COVERAGE_DIR",
    ]
      .map((name) => [name, Deno.env.get(name)])
      .filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    ...passed,
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? configDir,
    DENO_DIR: await cacheDir(),
    ABLY_CLI_CONFIG_DIR: configDir,
    NO_COLOR: "1",
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  /** stdout parsed as one JSON record per line (compact JSON mode). */
  records(): Record<string, unknown>[];
}

export interface RunOptions {
  configDir: string;
  env?: Record<string, string>;
  stdin?: string;
  /** Secrets that must never appear in output; the fixtures' tokens by default. */
  secrets?: string[];
  /** A command that runs the CLI's command line (e.g. in a mount namespace of its own). */
  prefix?: string[];
}

/** The real CLI as a separate process, with the `ably` task's exact permissions. */
export async function spawnCli(args: string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const command = [...options.prefix ?? [], Deno.execPath(), "run", ...PERMISSIONS, MAIN, ...args];
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    env: { ...(await baseEnv(options.configDir)), ...options.env },
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  // A hung process fails its test, with its command line, instead of timing out CI.
  const output = await withDeadline(RUN_DEADLINE_MS, `ably ${args.join(" ")}`, child.output())
    .catch((error) => {
      child.kill("SIGKILL");
      throw error;
    });
  const elapsedMs = performance.now() - started;
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assertNoSecrets(stdout + stderr, options.secrets ?? ALL_SECRETS);
  return {
    code: output.code,
    stdout,
    stderr,
    elapsedMs,
    records: () => stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line)),
  };
}

export function assertNoSecrets(text: string, secrets: string[]): void {
  for (const secret of secrets) {
    assert(!text.includes(secret), `output leaked a secret: ${secret.slice(0, 6)}…`);
  }
}

/** Temp paths this test module created, removed when it ends (however its tests ended). */
const created = new Set<string>();
globalThis.addEventListener("unload", () => {
  for (const path of created) {
    try {
      // A test may have left a directory unwritable; open it up again first.
      if (Deno.build.os !== "windows") Deno.chmodSync(path, 0o700);
      Deno.removeSync(path, { recursive: true });
    } catch {
      // Already removed by the test.
    }
  }
});

/** A fresh temp directory, removed when the test module ends. */
export async function tempDir(prefix = "ably-cli-test-"): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  created.add(dir);
  return dir;
}

/** A fresh temp file, removed when the test module ends. */
export async function tempFile(suffix?: string): Promise<string> {
  const file = await Deno.makeTempFile({ prefix: "ably-cli-test-", suffix });
  created.add(file);
  return file;
}

/** Removes a path made beside a temp directory (e.g. a shell's dump file) when the module ends. */
export function removeAtEnd(path: string): void {
  created.add(path);
}

/** A fresh config directory, optionally holding a config file; removed when the module ends. */
export async function tempConfigDir(config?: string): Promise<string> {
  const dir = await tempDir();
  if (config !== undefined) await Deno.writeTextFile(`${dir}/config`, config, { mode: 0o600 });
  return dir;
}

/**
 * Runs `fn` with a fresh config dir holding `config`, fails it if it takes over 10 s, and
 * removes the dir afterwards.
 */
export async function withConfigDir(
  config: string,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await tempConfigDir(config);
  try {
    await withDeadline(10_000, "the test's work in its config dir", fn(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The names of the entries in `dir`, sorted. */
export async function namesIn(dir: string): Promise<string[]> {
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/** The config file's path as the CLI prints it (backslashes on Windows). */
export function configFileIn(dir: string): string {
  return join(dir, "config");
}

export async function readConfigText(dir: string): Promise<string> {
  return await Deno.readTextFile(`${dir}/config`);
}

/** Runs the CLI on a pseudo-terminal; for each [marker, keys] step, waits for the marker and types. */
export async function runCliOnTerminal(
  args: string[],
  options: RunOptions & {
    steps: [marker: string, keys: string][];
    /** Redirect the CLI's stdout to this file, as `ably … > file` on a terminal. */
    stdoutFile?: string;
  },
): Promise<{ code: number; output: string }> {
  const helper = fromFileUrl(new URL("./pty_run.py", import.meta.url));
  const result = await new Deno.Command("python3", {
    args: [
      helper,
      JSON.stringify(options.steps),
      ...(options.stdoutFile ? ["--stdout", options.stdoutFile] : []),
      Deno.execPath(),
      "run",
      ...PERMISSIONS,
      MAIN,
      ...args,
    ],
    env: { ...(await baseEnv(options.configDir)), TERM: "xterm", ...options.env },
    clearEnv: true,
    stdout: "piped",
  }).output();
  const { output, exit } = JSON.parse(new TextDecoder().decode(result.stdout));
  assertNoSecrets(output, options.secrets ?? ALL_SECRETS);
  return { code: exit, output };
}

/** The first result or error record of a JSON run. */
export function resultOf(records: Record<string, unknown>[]) {
  const result = records.find((r) => r.type === "result" || r.type === "error");
  assert.ok(result, "no result or error record");
  // deno-lint-ignore no-explicit-any
  return result as Record<string, any>;
}

/** Human error text as one line: the oclif-style wrapping and line breaks undone. */
export function unwrapped(stderr: string): string {
  // A break keeps its space where it fits and drops it at an exactly full line.
  return stderr.replace(/ ?\n › {3}/g, " ");
}

/** In-process by default: the behaviour under test, without a process per case. */
export { runInProcess as runCli } from "./in-process.ts";
