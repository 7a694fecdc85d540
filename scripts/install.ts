/**
 * Installs an `ably` command that runs main.ts from this checkout with exactly the permissions
 * of the `ably` task (one source of truth, as for compiled binaries), and never reaches the
 * network when it starts:
 *
 * 1. Every module the CLI can load, the lazily loaded ones included (the prompts, the keychain's
 *    native module for this platform), is cached first, resolved from this checkout's own
 *    deno.lock (`deno install --frozen --entrypoint main.ts`). Deno makes sure of every npm
 *    package of the lock's resolution at each start, so one that was never cached would be
 *    looked up on the registry at every start: 7-12 s where the registry cannot be reached or
 *    verified (offline, a TLS-intercepting proxy), and every Tab completion pays it too.
 * 2. The command is a small launcher (a sh script; on Windows also a .cmd) running
 *    `deno run --frozen --cached-only` with this checkout's deno.json and deno.lock, and with
 *    Deno's own update check off: from the cache only, or a clear error at once. `deno install
 *    --global` cannot do this: it copies the config and writes a lock of its own next to the
 *    command, which then no longer follows the checkout.
 * 3. Before the launcher is written, it is proven: `--version` runs from the cache alone.
 *
 * The command runs `deno` by name from the PATH of the shell that starts it, and runs main.ts
 * from this checkout (so the checkout must stay where it is; after a `git pull` that changes
 * deno.lock, run `deno task install` again). So the install needs a durable Deno on PATH, at
 * least MIN_DENO (`--ignore-env` is new in 2.6). The `deno` that `npx deno` puts first on PATH
 * lives in npm's temporary npx folder and is gone in the next shell: it is never used, and with
 * no other `deno` on PATH the install is refused with the fix, instead of installing a command
 * that fails with `deno: not found`.
 *
 * Usage: deno task install [--root DIR]    (the command goes to DIR/bin; default ~/.deno/bin,
 *                                           or $DENO_INSTALL_ROOT/bin, as `deno install -g`)
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { ENTRYPOINT, runFlags } from "./compile.ts";
import { windowsPathCommands } from "./windows_path.ts";

/** The oldest Deno that runs the `ably` task's flags (`--ignore-env` first appears in 2.6). */
export const MIN_DENO = "2.6.0";

const isWindows = Deno.build.os === "windows";

/** Whether a Deno version (e.g. "2.9.6", "2.6.0-rc.1") is at least MIN_DENO. */
export function meetsFloor(version: string): boolean {
  const [a, b, c] = version.split(/[.+-]/).map(Number);
  const [x, y, z] = MIN_DENO.split(".").map(Number);
  if ([a, b, c].some(Number.isNaN)) return false;
  return a !== x ? a > x : b !== y ? b > y : c >= z;
}

/** Whether an executable lives in npm's temporary npx folder (`…/_npx/<hash>/…`). */
export function isNpxPath(path: string): boolean {
  return /[\\/]_npx[\\/]/.test(path);
}

/** A directory as compared on this OS: one separator, no trailing one, any case on Windows. */
export function comparablePath(dir: string, windows = isWindows): string {
  const path = windows ? dir.replaceAll("\\", "/").toLowerCase() : dir;
  return path.replace(/(?<=.)\/+$/, "");
}

/** Whether `dir` is one of PATH's directories (`;`-separated with mixed slashes on Windows). */
export function isOnPath(dir: string, path: string, windows = isWindows): boolean {
  const want = comparablePath(dir, windows);
  return path.split(windows ? ";" : ":").filter(Boolean)
    .some((entry) => comparablePath(entry, windows) === want);
}

/** Every `deno` executable on PATH, in PATH order. */
function denosOnPath(path: string): string[] {
  const found: string[] = [];
  for (const dir of path.split(isWindows ? ";" : ":").filter(Boolean)) {
    for (const name of isWindows ? ["deno.exe", "deno.cmd"] : ["deno"]) {
      const candidate = `${dir.replace(/[\\/]+$/, "")}/${name}`;
      try {
        if (Deno.statSync(candidate).isFile) found.push(candidate);
      } catch {
        // not here
      }
    }
  }
  return found;
}

function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

/** `deno --version`'s version of an executable, or undefined if it does not answer. */
async function versionOf(deno: string): Promise<string | undefined> {
  try {
    const { code, stdout } = await new Deno.Command(deno, {
      args: ["--version"],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    if (code !== 0) return undefined;
    return /^deno (\S+)/.exec(new TextDecoder().decode(stdout))?.[1];
  } catch {
    return undefined;
  }
}

/** Where the command goes: --root, $DENO_INSTALL_ROOT, else ~/.deno; then bin (as `deno install -g`). */
export function installBinDir(args: string[], env: (name: string) => string | undefined): string {
  const root = rootArg(args) ?? env("DENO_INSTALL_ROOT") ??
    `${isWindows ? env("USERPROFILE") : env("HOME")}/.deno`;
  return `${root.replace(/[\\/]+$/, "")}${isWindows ? "\\" : "/"}bin`;
}

/** `--root DIR` or `--root=DIR`; anything else is refused. */
export function rootArg(args: string[]): string | undefined {
  if (args.length === 0) return undefined;
  if (args.length === 1 && args[0].startsWith("--root=")) return args[0].slice("--root=".length);
  if (args.length === 2 && args[0] === "--root") return args[1];
  throw new Error(`usage: deno task install [--root DIR] (not: ${args.join(" ")})`);
}

/**
 * What the command runs after `deno`: main.ts of `root` (a directory path ending in its
 * separator), frozen to its deno.lock, from Deno's cache only, with the ably task's flags.
 */
export function launcherArgs(root: string, flags: string[]): string[] {
  return [
    "run",
    "--frozen",
    "--cached-only",
    "--config",
    `${root}deno.json`,
    "--lock",
    `${root}deno.lock`,
    ...flags,
    `${root}${ENTRYPOINT}`,
  ];
}

const HEADER = "Generated by `deno task install` (scripts/install.ts)";
const ADVICE = "after a git pull that changes deno.lock, run deno task install again";

/** The sh launcher (Linux, macOS; Git Bash on Windows). */
export function shLauncher(root: string, args: string[]): string {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  return [
    "#!/bin/sh",
    `# ${HEADER}: runs ${root}${ENTRYPOINT}`,
    "# with the ably task's permissions, frozen to that checkout's deno.lock, from Deno's cache",
    `# only (nothing is fetched at start-up); ${ADVICE}.`,
    `DENO_NO_UPDATE_CHECK=1 exec deno ${args.map(quote).join(" ")} "$@"`,
    "",
  ].join("\n");
}

/** The .cmd launcher (cmd and PowerShell on Windows). */
export function cmdLauncher(root: string, args: string[]): string {
  // In a .cmd file % starts a variable: a literal one is written %%.
  const quote = (word: string) => `"${word.replaceAll("%", "%%")}"`;
  return [
    `@rem ${HEADER}: runs ${root.replaceAll("%", "%%")}${ENTRYPOINT}`,
    `@rem with the ably task's permissions, frozen to that checkout's deno.lock, from Deno's cache`,
    `@rem only (nothing is fetched at start-up); ${ADVICE}.`,
    "@setlocal",
    `@set "DENO_NO_UPDATE_CHECK=1"`,
    `@deno ${args.map(quote).join(" ")} %*`,
    "",
  ].join("\r\n");
}

function refuse(message: string): never {
  console.error(message);
  Deno.exit(1);
}

async function run(deno: string, args: string[], quiet = false) {
  return await new Deno.Command(deno, {
    args,
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: quiet ? "piped" : "inherit",
    stderr: quiet ? "piped" : "inherit",
  }).output();
}

/** Writes a file through a temporary one, so a failed write leaves the old command working. */
async function replaceFile(path: string, text: string, mode?: number) {
  const staged = `${path}.tmp-${crypto.randomUUID()}`;
  await Deno.writeTextFile(staged, text, mode === undefined ? {} : { mode });
  if (mode !== undefined) await Deno.chmod(staged, mode);
  await Deno.rename(staged, path);
}

if (import.meta.main) {
  const path = Deno.env.get("PATH") ?? "";
  let bin: string;
  try {
    bin = installBinDir(Deno.args, (name) => Deno.env.get(name));
  } catch (error) {
    refuse(error instanceof Error ? error.message : String(error));
  }
  const fix = `Install Deno ${MIN_DENO} or newer for good, then rerun \`deno task install\`:\n` +
    `  npm install -g deno@${Deno.version.deno}      (or https://docs.deno.com/runtime/getting_started/installation/)`;
  if (!meetsFloor(Deno.version.deno)) {
    refuse(`ably needs Deno ${MIN_DENO} or newer; this is Deno ${Deno.version.deno}.\n${fix}`);
  }
  const all = denosOnPath(path);
  const deno = all.find((candidate) => !isNpxPath(candidate) && !isNpxPath(realPath(candidate)));
  if (!deno) {
    refuse(
      "The installed `ably` runs `deno` from your PATH, and " +
        (all.length
          ? `the only \`deno\` on your PATH is npx's temporary one (${
            all[0]
          }), gone in your next shell.`
          : "there is no `deno` on your PATH.") +
        `\n${fix}`,
    );
  }
  const version = await versionOf(deno);
  if (!version || !meetsFloor(version)) {
    refuse(
      `The installed \`ably\` would run ${deno}, which is Deno ${
        version ?? "(unknown version)"
      }; ` +
        `ably needs ${MIN_DENO} or newer.\n${fix}`,
    );
  }
  const root = fromFileUrl(new URL("..", import.meta.url));
  const args = launcherArgs(root, runFlags(denoJson.tasks.ably));

  // 1. Every module, lazy ones included, into Deno's cache, resolved from the checkout's lock.
  const cache = ["install", "--frozen", "--config", `${root}deno.json`, "--entrypoint"];
  console.error(`deno ${[...cache, `${root}${ENTRYPOINT}`].join(" ")}`);
  if ((await run(deno, [...cache, `${root}${ENTRYPOINT}`])).code !== 0) {
    refuse(
      "Could not cache ably's modules (this needs the npm registry once; deno.lock must match " +
        "deno.json). Nothing was installed.",
    );
  }
  // 2. The proof: the launcher's own command line starts from the cache alone.
  const proof = await run(deno, [...args, "--version"], true);
  const printed = new TextDecoder().decode(proof.stdout).trim();
  if (proof.code !== 0 || printed !== denoJson.version) {
    refuse(
      `The cached modules do not start ably without the network (exit ${proof.code}):\n` +
        new TextDecoder().decode(proof.stderr).trim() + "\nNothing was installed.",
    );
  }
  // 3. The launcher(s). A `deno install -g` of an earlier version left a config and lock of its
  // own in bin/.ably: they are no longer used.
  await Deno.mkdir(bin, { recursive: true });
  const sep = isWindows ? "\\" : "/";
  await replaceFile(`${bin}${sep}ably`, shLauncher(root, args), isWindows ? undefined : 0o755);
  if (isWindows) await replaceFile(`${bin}${sep}ably.cmd`, cmdLauncher(root, args));
  const stale = `${bin}${sep}.ably`;
  const hasStaleConfig = await Deno.stat(`${stale}${sep}deno.json`).then(() => true, () => false);
  if (hasStaleConfig) {
    await Deno.remove(stale, { recursive: true });
    console.error(`Removed ${stale} (the copied config of an earlier install).`);
  }
  console.log(
    `Installed ably in ${bin}${
      isWindows ? "\\ably.cmd" : "/ably"
    } (using ${deno}, Deno ${version}). ` +
      `It runs this checkout (${root}) from Deno's cache, never fetching at start-up: keep the ` +
      `checkout where it is, and rerun \`deno task install\` after a git pull that changes deno.lock.`,
  );
  if (!isOnPath(bin, path)) {
    console.log(
      isWindows
        ? `${bin} is not on your PATH. Add it to your user PATH (PowerShell), then open a new terminal:\n` +
          windowsPathCommands(bin)
        : `${bin} is not on your PATH. Add it, e.g. in your shell profile:\n  export PATH="${bin}:$PATH"`,
    );
  }
}
