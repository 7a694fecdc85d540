/** Tunables read from the environment, validated once. */
import type { Env } from "../cli.ts";
import { CliError } from "../errors.ts";
import { DEFAULT_LOCK_TIMEOUT_MS } from "../config/store.ts";
import { DEFAULT_REVOKE_TIMEOUT_MS } from "../oauth/revoke.ts";
import { DEFAULT_CONTROL_TIMEOUT_MS } from "../control/api.ts";

/** Per-request timeout for calls to the authorization server. */
export function oauthTimeoutMs(env: Env): number {
  return millisecondsFrom(env, "ABLY_OAUTH_TIMEOUT_MS", DEFAULT_REVOKE_TIMEOUT_MS);
}

/** Per-request timeout for Control API calls. */
export function controlTimeoutMs(env: Env): number {
  return millisecondsFrom(env, "ABLY_CONTROL_TIMEOUT_MS", DEFAULT_CONTROL_TIMEOUT_MS);
}

/** How long to wait for another ably process to finish updating the config. */
export function lockTimeoutMs(env: Env): number {
  return millisecondsFrom(env, "ABLY_CONFIG_LOCK_TIMEOUT_MS", DEFAULT_LOCK_TIMEOUT_MS);
}

function millisecondsFrom(env: Env, name: string, fallback: number): number {
  const raw = env(name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new CliError(`${name} must be a whole number of milliseconds above 0, not "${raw}".`, {
      component: "settings",
    });
  }
  return value;
}
