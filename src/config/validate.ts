/**
 * Checks that a parsed config has the shape the official CLI writes, and turns
 * every table into a prototype-free object, so an alias such as `constructor`
 * or `__proto__` is an ordinary key and never an inherited property.
 */
import type { AblyConfig } from "./schema.ts";

const STRING_FIELDS = [
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
];

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
  for (const [alias, account] of Object.entries(config.accounts ?? {})) {
    if (!isTable(account)) return `${where(["accounts", alias])} must be a table`;
    for (const field of STRING_FIELDS) {
      if (field in account && typeof account[field] !== "string") {
        return `${where(["accounts", alias, field])} must be a string`;
      }
    }
    if ("apps" in account) {
      if (!isTable(account.apps)) return `${where(["accounts", alias, "apps"])} must be a table`;
      for (const [appId, app] of Object.entries(account.apps)) {
        if (!isTable(app)) return `${where(["accounts", alias, "apps", appId])} must be a table`;
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

/** Rebuilds every table (not arrays' contents' order, not values) without a prototype. */
export function withoutPrototypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPrototypes);
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  const copy: Record<string, unknown> = Object.create(null);
  for (const [key, inner] of Object.entries(value)) copy[key] = withoutPrototypes(inner);
  return copy;
}

export function normalise(config: AblyConfig): AblyConfig {
  return withoutPrototypes(config) as AblyConfig;
}
