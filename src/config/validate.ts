/**
 * Checks that a parsed config has the shape the official CLI writes, and makes
 * the tables keyed by data prototype-free, so an alias such as `constructor` or
 * `__proto__` is an ordinary key and never an inherited property.
 */
import type { AblyConfig } from "./schema.ts";

const STRING_FIELDS = new Set([
  "accountId",
  "accountName",
  "userEmail",
  "currentAppId",
  "endpoint",
  "authMethod",
  "oauthSessionKey",
  "oauthHost",
  "controlHost",
  "accessToken",
  "tokenId",
]);

/** A table whose keys come from data (aliases, app ids, session keys). */
export function table<T>(): Record<string, T> {
  return Object.create(null);
}

/** Returns the problem with the config's shape, or `undefined` when it is fine. */
export function shapeProblem(config: Record<string, unknown>): string | undefined {
  const isTable = (value: unknown) =>
    typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
  const where = (path: string[]) =>
    path.map((p) => (/^[A-Za-z0-9_-]+$/.test(p) ? p : JSON.stringify(p))).join(".");

  for (const key of ["current", "accounts", "oauthSessions"]) {
    if (key in config && !isTable(config[key])) return `"${key}" must be a table`;
  }
  const current = config.current as Record<string, unknown> | undefined;
  for (const key of ["account", "app"]) {
    if (current && key in current && typeof current[key] !== "string") {
      return `"current.${key}" must be a string`;
    }
  }
  const accounts = (config.accounts ?? {}) as Record<string, Record<string, unknown>>;
  for (const alias in accounts) {
    const account = accounts[alias];
    if (!isTable(account)) return `${where(["accounts", alias])} must be a table`;
    for (const field in account) {
      const value = account[field];
      if (STRING_FIELDS.has(field) && typeof value !== "string") {
        return `${where(["accounts", alias, field])} must be a string`;
      }
      if (field === "apps") {
        if (!isTable(value)) return `${where(["accounts", alias, "apps"])} must be a table`;
        const apps = value as Record<string, unknown>;
        for (const appId in apps) {
          if (!isTable(apps[appId])) {
            return `${where(["accounts", alias, "apps", appId])} must be a table`;
          }
        }
      }
    }
  }
  for (const [key, session] of Object.entries(config.oauthSessions ?? {})) {
    if (!isTable(session)) return `${where(["oauthSessions", key])} must be a table`;
    for (const field of ["accessToken", "refreshToken", "oauthScope"]) {
      if (field in session && typeof session[field] !== "string") {
        return `${where(["oauthSessions", key, field])} must be a string`;
      }
    }
  }
  return undefined;
}

/**
 * Re-keys the tables whose keys are aliases and session keys into
 * prototype-free objects, in key order. (App tables are keyed by Ably app IDs
 * and read through `appOf`.) Other tables have fixed keys and stay as parsed.
 */
export function normalise(config: AblyConfig): AblyConfig {
  const rekey = <T>(map: Record<string, T>) => Object.assign(table<T>(), map);
  if (config.accounts) config.accounts = rekey(config.accounts);
  if (config.oauthSessions) config.oauthSessions = rekey(config.oauthSessions);
  return config;
}
