/**
 * Where the config file is: $ABLY_CLI_CONFIG_DIR, else `.ably` in the home directory as
 * Node's `os.homedir()` finds it (as the official CLI does). On the start-up path of
 * every command: no `node:` modules and no CommonJS here (loading Deno's
 * Node-compatibility layer costs tens of milliseconds), only a few string functions.
 */
import { joinPath, resolvePath } from "./paths.ts";

export interface ConfigLocation {
  dir: string;
  file: string;
}

/** What the location depends on besides the environment; tests replace it. */
export interface Platform {
  /** `Deno.build.os`: only "windows" has rules of its own. */
  os: string;
  /** The current directory, asked for only when a path is relative. */
  cwd(): string;
  /**
   * The home directory in the user database (/etc/passwd) for the effective user, or
   * undefined; asked for only on a non-Windows OS when HOME is unset or empty.
   */
  passwdHome(): string | undefined;
}

export const DENO_PLATFORM: Platform = {
  os: Deno.build.os,
  cwd: () => Deno.cwd(),
  passwdHome: denoPasswdHome,
};

/**
 * `$ABLY_CLI_CONFIG_DIR/config`, else `<home>/.ably/config`: the same file the official CLI
 * uses. A relative ABLY_CLI_CONFIG_DIR (or home) is resolved against the current directory.
 */
export function configLocation(
  env: (name: string) => string | undefined,
  platform: Partial<Platform> = {},
): ConfigLocation {
  const p: Platform = { ...DENO_PLATFORM, ...platform };
  const override = env("ABLY_CLI_CONFIG_DIR");
  let dir: string;
  if (override) {
    dir = resolvePath(override, p);
  } else {
    const home = homeDirectory(env, p);
    if (!home) {
      const variable = p.os === "windows" ? "USERPROFILE" : "HOME";
      throw new Error(
        `Cannot find your home directory: set ${variable}, or ABLY_CLI_CONFIG_DIR.`,
      );
    }
    dir = resolvePath(joinPath(p.os, home, ".ably"), p);
  }
  return { dir, file: joinPath(p.os, dir, "config") };
}

/**
 * The home directory as Node's `os.homedir()` (libuv's `uv_os_homedir`) finds it, which is
 * what the official CLI uses: on Windows `USERPROFILE` (never `HOME`, which Git Bash, MSYS2 and
 * Cygwin set to something else), elsewhere `HOME`, then the user database. What libuv does
 * beyond that needs more than this CLI's permissions: on Windows the profile directory of the
 * process token (FFI), elsewhere `getpwuid_r`, of which only /etc/passwd can be read here
 * (not LDAP/NSS, nor macOS's Directory Services). An empty variable counts as unset (libuv
 * would return "" and the official CLI would then use `./.ably` in the current directory).
 */
export function homeDirectory(
  env: (name: string) => string | undefined,
  platform: Partial<Platform> = {},
): string | undefined {
  const p: Platform = { ...DENO_PLATFORM, ...platform };
  if (p.os === "windows") return env("USERPROFILE") || undefined;
  return env("HOME") || p.passwdHome() || undefined;
}

/** The `home` field of the /etc/passwd line for `uid`, if there is a non-empty one. */
export function passwdHomeFor(passwd: string, uid: number): string | undefined {
  for (const line of passwd.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const fields = line.replace(/\r$/, "").split(":");
    if (fields.length >= 7 && fields[2] === String(uid) && fields[5]) return fields[5];
  }
  return undefined;
}

/**
 * The effective uid is not readable without `--allow-sys` (and /proc/self needs
 * `--allow-all`), but a file this process creates belongs to it: create one in the temp
 * directory, read its owner, remove it. Only runs when HOME is unset (cron, `env -i`).
 */
function denoPasswdHome(): string | undefined {
  let temp: string | undefined;
  try {
    temp = Deno.makeTempFileSync({ prefix: "ably-uid-" });
    const uid = Deno.statSync(temp).uid;
    if (uid === null) return undefined;
    return passwdHomeFor(Deno.readTextFileSync("/etc/passwd"), uid);
  } catch {
    return undefined;
  } finally {
    if (temp) {
      try {
        Deno.removeSync(temp);
      } catch {
        // Left in the temp directory: an empty file.
      }
    }
  }
}
