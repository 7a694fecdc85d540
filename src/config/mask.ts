/** A copy of a config that is safe to show: tokens and API key secrets replaced. */
import type { AblyConfig } from "./schema.ts";

const SECRET_KEYS = new Set(["accessToken", "refreshToken"]);
const MASK = "[masked]";

export function maskSecrets(config: AblyConfig): AblyConfig {
  return mask(structuredClone(config)) as AblyConfig;
}

function mask(value: unknown, key?: string): unknown {
  // Whatever shape a secret has (string, array, table), none of it is shown.
  if (key && SECRET_KEYS.has(key)) return MASK;
  if (key === "apiKey") {
    return typeof value === "string" && value.includes(":")
      ? `${value.split(":")[0]}:${MASK}`
      : MASK;
  }
  if (Array.isArray(value)) return value.map((item) => mask(item));
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      (value as Record<string, unknown>)[k] = mask(v, k);
    }
    return value;
  }
  return value;
}

/**
 * The secrets the config holds where the official CLI keeps them (access and refresh
 * tokens, legacy tokens, API key secrets), to keep out of output. Direct loops, not a
 * walk of everything: a 10,000-account config has 20,000 of them.
 */
export function secretsOf(config: AblyConfig): string[] {
  const found: string[] = [];
  const add = (value: unknown) => {
    if (typeof value === "string") found.push(value);
  };
  for (const alias in config.accounts ?? {}) {
    const account = config.accounts![alias];
    add(account.accessToken);
    for (const appId in account.apps ?? {}) {
      const apiKey = account.apps![appId].apiKey;
      if (typeof apiKey === "string") add(apiKey.slice(apiKey.indexOf(":") + 1));
    }
  }
  for (const key in config.oauthSessions ?? {}) {
    const session = config.oauthSessions![key];
    add(session.accessToken);
    add(session.refreshToken);
  }
  return found;
}
