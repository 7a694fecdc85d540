/**
 * Installs `ably` from this checkout with `deno install -g`, granting exactly the
 * permissions of the `ably` task (one source of truth, as for compiled binaries),
 * then says where it went and whether that directory is on PATH.
 *
 * The installed command runs `deno` by name, so a Deno that only came through npx
 * (and is not on PATH) is refused up front with the fix, instead of installing a
 * command that fails with `deno: not found`.
 *
 * Usage: deno task install [--root DIR]
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { ENTRYPOINT, runFlags } from "./compile.ts";

const isWindows = Deno.build.os === "windows";
const separator = isWindows ? ";" : ":";
const pathDirs = (Deno.env.get("PATH") ?? "").split(separator).filter(Boolean);

/** The first `deno` executable on PATH, if any. */
function denoOnPath(): string | undefined {
  for (const dir of pathDirs) {
    for (const name of isWindows ? ["deno.exe", "deno.cmd"] : ["deno"]) {
      const candidate = `${dir}/${name}`;
      try {
        if (Deno.statSync(candidate).isFile) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
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
  return `${root.replace(/[\\/]+$/, "")}/bin`;
}

if (import.meta.main) {
  const deno = denoOnPath();
  if (!deno) {
    console.error(
      `The installed \`ably\` runs \`deno\`, and there is no \`deno\` on your PATH (this one ` +
        `came from npx: ${Deno.execPath()}). Install Deno for good, then rerun:\n` +
        `  npm install -g deno@${Deno.version.deno}\n  deno task install`,
    );
    Deno.exit(1);
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
  console.log(`Installed ably in ${bin}${isWindows ? "" : "/ably"} (using ${deno}).`);
  if (!pathDirs.some((dir) => dir.replace(/[\\/]+$/, "") === bin)) {
    console.log(
      `${bin} is not on your PATH. Add it, e.g. in your shell profile:\n  export PATH="${bin}:$PATH"`,
    );
  }
}
