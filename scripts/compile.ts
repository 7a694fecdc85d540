/**
 * Compiles the `ably` binary for one or all release targets.
 *
 * The permission flags come from the `ably` task in deno.json, so the compiled
 * binary gets exactly the permissions that `deno task ably` runs with. `--frozen` makes a
 * lock file that does not match deno.json an error instead of a silently updated build.
 *
 * Linux binaries are compiled with `--no-code-cache`: the runtime keeps V8's code cache at
 * `$TMPDIR/deno-compile-<name>.cache` (std::env::temp_dir(), so /tmp on most Linux systems),
 * reads it without checking who wrote it, and on a shared machine the first user to run the
 * binary would own the bytecode every other user loads. macOS and Windows temp directories
 * are per user, so those keep the cache (a third of start-up; see RELEASING.md).
 *
 * Usage: deno task compile [--dry-run] [TARGET...]
 * With no TARGET every target is built, into dist/ably-<target>[.exe].
 */

export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

export type Target = typeof TARGETS[number];

export const ENTRYPOINT = "main.ts";

export function isTarget(value: string): value is Target {
  return (TARGETS as readonly string[]).includes(value);
}

/** The output path of a target's binary, relative to the repository root. */
export function outputPath(target: Target): string {
  return `dist/ably-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/**
 * The flags of a `deno run <flags> main.ts` task. Only flags written as single
 * unquoted words (`--allow-env=A,B`) are understood; anything else is an error
 * rather than a silently different binary.
 */
export function runFlags(task: string): string[] {
  const words = task.trim().split(/\s+/);
  if (words[0] !== "deno" || words[1] !== "run") {
    throw new Error(`the ably task must start with "deno run": ${task}`);
  }
  const rest = words.slice(2);
  const entry = rest.findIndex((word) => !word.startsWith("-"));
  if (entry !== rest.length - 1 || rest[entry] !== ENTRYPOINT) {
    throw new Error(`the ably task must be "deno run <flags> ${ENTRYPOINT}": ${task}`);
  }
  const flags = rest.slice(0, entry);
  const odd = flags.find((flag) => /["'`$\\]/.test(flag));
  if (odd) throw new Error(`quoted or escaped flag in the ably task: ${odd}`);
  return flags;
}

/** Whether a target's runtime keeps its V8 code cache in a directory private to the user. */
export function hasPrivateTempDir(target: Target): boolean {
  return !target.endsWith("-linux-gnu");
}

export function compileArgs(flags: string[], target: Target): string[] {
  return [
    "compile",
    "--frozen",
    ...(hasPrivateTempDir(target) ? [] : ["--no-code-cache"]),
    ...flags,
    "--target",
    target,
    "--output",
    outputPath(target),
    ENTRYPOINT,
  ];
}

async function main(args: string[]): Promise<number> {
  const dryRun = args.includes("--dry-run");
  const names = args.filter((arg) => arg !== "--dry-run");
  const unknown = names.filter((name) => !isTarget(name));
  if (unknown.length) {
    console.error(`unknown target(s): ${unknown.join(", ")}\nknown: ${TARGETS.join(", ")}`);
    return 2;
  }
  const targets = names.length ? names as Target[] : [...TARGETS];

  const root = new URL("../", import.meta.url);
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const task = config?.tasks?.ably;
  if (typeof task !== "string") throw new Error("deno.json has no string task `ably`");
  const flags = runFlags(task);

  for (const target of targets) {
    const compile = compileArgs(flags, target);
    console.error(`deno ${compile.join(" ")}`);
    if (dryRun) continue;
    // Spawned by name so the task can grant exactly `--allow-run=deno`.
    const { code } = await new Deno.Command("deno", {
      args: compile,
      cwd: root,
      stdin: "null",
    }).spawn().status;
    if (code !== 0) {
      console.error(`deno compile failed for ${target} (exit ${code})`);
      return code;
    }
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
