import { isAbsolute, join, resolve } from "node:path";

export interface ConfigLocation {
  dir: string;
  file: string;
  lock: string;
}

/**
 * `$ABLY_CLI_CONFIG_DIR/config`, else `~/.ably/config`: the same file the
 * official CLI uses. The home directory comes from the environment so that no
 * `--allow-sys` permission is needed.
 */
export function configLocation(env: (name: string) => string | undefined): ConfigLocation {
  const override = env("ABLY_CLI_CONFIG_DIR");
  let dir: string;
  if (override) {
    dir = isAbsolute(override) ? override : resolve(override);
  } else {
    const home = env("HOME") || env("USERPROFILE");
    if (!home) {
      throw new Error(
        "Cannot find your home directory: set HOME (or USERPROFILE), or ABLY_CLI_CONFIG_DIR.",
      );
    }
    dir = join(home, ".ably");
  }
  return { dir, file: join(dir, "config"), lock: join(dir, "config.lock") };
}
