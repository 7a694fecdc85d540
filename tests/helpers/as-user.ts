/**
 * Runs Deno code as another user (root only), importing the project's modules from a copy that
 * user can read: the checkout may sit in a private directory (a clone under /root, or in a
 * `mktemp -d`), where the other user could not load a single file of it.
 */
import { RUN_DEADLINE_MS } from "./deadline.ts";

const ROOT = new URL("../../", import.meta.url);

/** The project's own files in the module graph of `entry` (dynamic imports included). */
async function localModules(entry: URL): Promise<string[]> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry.pathname],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(RUN_DEADLINE_MS),
  }).output();
  if (!info.success) throw new Error(new TextDecoder().decode(info.stderr));
  const { modules } = JSON.parse(new TextDecoder().decode(info.stdout)) as {
    modules: { specifier: string }[];
  };
  return modules.map((m) => m.specifier).filter((s) => s.startsWith(ROOT.href))
    .map((s) => s.slice(ROOT.href.length));
}

export interface AsUser {
  uid: number;
  gid: number;
  /** The project modules the script imports. */
  modules: URL[];
  /** The script, given where each of `modules` was copied to (a file URL to import). */
  script: (copied: (module: URL) => string) => string;
}

/**
 * Copies the modules' local graph into a temp folder the user owns (with a DENO_DIR of its own),
 * runs the script there as that user with a clean environment, and removes the folder.
 */
export async function evalAsUser(run: AsUser): Promise<Deno.CommandOutput> {
  const home = await Deno.makeTempDir({ prefix: "ably-cli-test-as-user-" });
  try {
    const code = `${home}/code/`;
    const files = new Set((await Promise.all(run.modules.map(localModules))).flat());
    for (const file of files) {
      const target = code + file;
      await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
      await Deno.copyFile(new URL(file, ROOT), target);
    }
    // Everything under the folder becomes the user's, so it can read the code and fill its cache.
    await chownTree(home, run.uid, run.gid);
    const copied = (module: URL) => {
      const relative = module.href.slice(ROOT.href.length);
      if (!module.href.startsWith(ROOT.href) || !files.has(relative)) {
        throw new Error(`${module.href} was not copied`);
      }
      return new URL(relative, `file://${code}`).href;
    };
    return await new Deno.Command("setpriv", {
      args: [
        `--reuid=${run.uid}`,
        `--regid=${run.gid}`,
        "--clear-groups",
        Deno.execPath(),
        "eval",
        run.script(copied),
      ],
      env: { DENO_DIR: `${home}/deno`, HOME: home, NO_COLOR: "1" },
      clearEnv: true,
      cwd: home,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(RUN_DEADLINE_MS),
    }).output();
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await Deno.chown(path, uid, gid);
  if (!(await Deno.lstat(path)).isDirectory) return;
  for await (const entry of Deno.readDir(path)) {
    await chownTree(`${path}/${entry.name}`, uid, gid);
  }
}

/**
 * Why code cannot be run as another user here, or undefined when it can: only root on Linux can,
 * with util-linux's setpriv, and only if the temp folder's parents let another user through.
 */
export async function cannotRunAsUser(): Promise<string | undefined> {
  if (Deno.build.os !== "linux") return "only Linux runs a test as another user";
  if (Deno.uid() !== 0) return "only root can run a process as another user";
  const setpriv = await new Deno.Command("setpriv", {
    args: ["--version"],
    stdout: "null",
    stderr: "null",
  }).output().then((r) => r.success, () => false);
  if (!setpriv) return "setpriv (util-linux) is not installed";
  const probe = await Deno.makeTempDir({ prefix: "ably-cli-test-probe-" });
  try {
    for (
      let dir = probe.slice(0, probe.lastIndexOf("/"));
      dir;
      dir = dir.slice(0, dir.lastIndexOf("/"))
    ) {
      if (((await Deno.stat(dir)).mode! & 0o001) === 0) {
        return `another user cannot pass through ${dir}, where temp folders are made (set TMPDIR)`;
      }
    }
  } finally {
    await Deno.remove(probe);
  }
  return undefined;
}

/** Says once, in the test output, why the tests that run as another user are skipped. */
export function sayWhySkipped(reason: string | undefined, what: string): void {
  if (reason) console.warn(`skipping ${what}: ${reason}`);
}
