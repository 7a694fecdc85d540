/**
 * Every tunable the environment or a host flag can set, read and validated in
 * one pass before a command runs: a bad value is a usage error naming the
 * variable, never a failure halfway through a logout.
 */
import type { ConfigLocation } from "./config/location.ts";
import type { GlobalOptions } from "./commands/flags.ts";
import { shown, usageError } from "./errors.ts";
import { configLocation, homeDirectory } from "./config/location.ts";
import { DEFAULT_LOCK_TIMEOUT_MS } from "./config/store.ts";
import { DEFAULT_CONTROL_TIMEOUT_MS } from "./control/api.ts";
import { hostUrl } from "./http.ts";
import { tokenProblem } from "./input.ts";
import { DEFAULT_OAUTH_TIMEOUT_MS } from "./oauth/endpoint.ts";

export type Env = (name: string) => string | undefined;

/** Environment settings and host overrides, parsed and validated before anything runs. */
export interface Settings {
  config: ConfigLocation;
  /** `--oauth-host` / ABLY_OAUTH_HOST: where new logins go, and the issuer of last resort. */
  oauthHost?: string;
  /** `--control-host` / ABLY_CONTROL_HOST. */
  controlHost?: string;
  /** ABLY_ACCESS_TOKEN. */
  accessToken?: string;
  oauthTimeoutMs: number;
  controlTimeoutMs: number;
  lockTimeoutMs: number;
  /** A desktop to open a browser on. */
  display: boolean;
  /** ABLY_CLI_CREDENTIAL_STORE: where new logins keep their tokens ("file", or a store's name). */
  credentialStore: string;
  /** Where `completions install` puts things: $SHELL, the home directory, XDG and zsh dirs. */
  shell: ShellPlaces;
}

export interface ShellPlaces {
  shell?: string;
  home?: string;
  xdgDataHome?: string;
  xdgConfigHome?: string;
  zdotdir?: string;
}

export function readSettings(
  env: Env,
  flags: Pick<GlobalOptions, "oauthHost" | "controlHost" | "dashboardHost">,
  stores: readonly string[],
  os: string = Deno.build.os,
): Settings {
  let config;
  try {
    config = configLocation(env);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  host(flags.dashboardHost, "--dashboard-host", env, "ABLY_DASHBOARD_HOST");
  return {
    config,
    oauthHost: host(flags.oauthHost, "--oauth-host", env, "ABLY_OAUTH_HOST"),
    controlHost: host(flags.controlHost, "--control-host", env, "ABLY_CONTROL_HOST"),
    accessToken: accessToken(env),
    oauthTimeoutMs: milliseconds(env, "ABLY_OAUTH_TIMEOUT_MS", DEFAULT_OAUTH_TIMEOUT_MS),
    controlTimeoutMs: milliseconds(env, "ABLY_CONTROL_TIMEOUT_MS", DEFAULT_CONTROL_TIMEOUT_MS),
    lockTimeoutMs: milliseconds(env, "ABLY_CONFIG_LOCK_TIMEOUT_MS", DEFAULT_LOCK_TIMEOUT_MS),
    credentialStore: credentialStore(env, stores),
    shell: {
      shell: env("SHELL") || undefined,
      // Looked up only when asked for (without HOME it reads /etc/passwd).
      get home() {
        return homeDirectory(env);
      },
      xdgDataHome: env("XDG_DATA_HOME") || undefined,
      xdgConfigHome: env("XDG_CONFIG_HOME") || undefined,
      zdotdir: env("ZDOTDIR") || undefined,
    },
    display: os === "darwin" || os === "windows" ||
      (os === "linux" && Boolean(env("DISPLAY") || env("WAYLAND_DISPLAY"))),
  };
}

/** A host flag, else its variable; either must be a plain host[:port]. */
function host(
  flag: string | undefined,
  flagName: string,
  env: Env,
  variable: string,
): string | undefined {
  const value = flag ?? (env(variable) || undefined);
  if (value === undefined) return undefined;
  try {
    hostUrl(value);
  } catch {
    const source = flag !== undefined ? flagName : variable;
    throw usageError(
      `${source} must be a host name or address with an optional port (e.g. ably.com or 127.0.0.1:8080), not "${
        shown(value)
      }".`,
    );
  }
  return value;
}

function milliseconds(env: Env, name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value <= 0) {
    throw usageError(
      `${name} must be a whole number of milliseconds above 0, not "${shown(raw)}".`,
    );
  }
  return value;
}

function accessToken(env: Env): string | undefined {
  const token = env("ABLY_ACCESS_TOKEN") || undefined;
  const problem = token === undefined ? undefined : tokenProblem(token);
  if (problem) throw usageError(`ABLY_ACCESS_TOKEN ${problem}; set it to the token alone.`);
  return token;
}

/** Where new logins keep their tokens: the file, or a store this run knows. */
function credentialStore(env: Env, stores: readonly string[]): string {
  const raw = env("ABLY_CLI_CREDENTIAL_STORE");
  if (raw === undefined || raw === "" || raw === "file") return "file";
  if (stores.includes(raw)) return raw;
  const allowed = [...stores, "file"].map((name) => `"${name}"`);
  throw usageError(
    `ABLY_CLI_CREDENTIAL_STORE must be ${allowed.slice(0, -1).join(", ")} or ${
      allowed.at(-1)
    }, not "${shown(raw)}".`,
  );
}
