/**
 * Installs `ably` from this checkout with `deno install -g`, granting exactly the
 * permissions of the `ably` task (one source of truth, as for compiled binaries),
 * then says where it went and whether that directory is on PATH.
 *
 * The installed command runs `deno` by name from the PATH of the shell that starts it, and
 * runs main.ts from this checkout (so the checkout must stay where it is). So the install
 * needs a durable Deno on PATH, at least MIN_DENO (`--ignore-env` is new in 2.6). The `deno`
 * that `npx deno` puts first on PATH lives in npm's temporary npx folder and is gone in the
 * next shell: it is never used for the install, and with no other `deno` on PATH the install
 * is refused with the fix, instead of installing a command that fails with `deno: not found`.
 *
 * Usage: deno task install [--root DIR]
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { ENTRYPOINT, runFlags } from "./compile.ts";

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

/** Where `deno install -g` puts executables: --root, $DENO_INSTALL_ROOT, else ~/.deno; then bin. */
export function installBinDir(args: string[], env: (name: string) => string | undefined): string {
  const index = args.findIndex((arg) => arg === "--root" || arg.startsWith("--root="));
  const fromArgs = index < 0
    ? undefined
    : args[index].includes("=")
    ? args[index].slice("--root=".length)
    : args[index + 1];
  const home = isWindows ? env("USERPROFILE") : env("HOME");
  const root = fromArgs ?? env("DENO_INSTALL_ROOT") ?? `${home}/.deno`;
  return `${root.replace(/[\\/]+$/, "")}${isWindows ? "\\" : "/"}bin`;
}

function refuse(message: string): never {
  console.error(message);
  Deno.exit(1);
}

if (import.meta.main) {
  const path = Deno.env.get("PATH") ?? "";
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
  const args = [
    "install",
    "--global",
    "--force",
    "--name",
    "ably",
    "--config",
    `${root}deno.json`,
    ...Deno.args,
    ...runFlags(denoJson.tasks.ably),
    `${root}${ENTRYPOINT}`,
  ];
  console.error(`deno ${args.join(" ")}`);
  const { code } = await new Deno.Command(deno, { args, stdout: "inherit", stderr: "inherit" })
    .spawn().status;
  if (code !== 0) Deno.exit(code);
  const bin = installBinDir(Deno.args, (name) => Deno.env.get(name));
  console.log(
    `Installed ably in ${bin}${isWindows ? "" : "/ably"} (using ${deno}, Deno ${version}). ` +
      `It runs this checkout (${root}): keep it where it is.`,
  );
  if (!isOnPath(bin, path)) {
    console.log(
      isWindows
        ? `${bin} is not on your PATH. Add it (PowerShell):\n` +
          `  [Environment]::SetEnvironmentVariable("Path", "$env:Path;${bin}", "User")`
        : `${bin} is not on your PATH. Add it, e.g. in your shell profile:\n  export PATH="${bin}:$PATH"`,
    );
  }
}
