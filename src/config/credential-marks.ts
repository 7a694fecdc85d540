/**
 * Which secrets of a config live in the OS keychain. A table marked
 * `credentialStore = "keychain"` keeps every non-secret field in the file and
 * its tokens in one keychain item: an `[oauthSessions."…"]` table (item: the
 * session key) or a legacy account's table (item: `account:<alias>`, its
 * `accessToken`). The official CLI ignores the marker and finds no token.
 * Pure functions on data.
 */
import type { AblyConfig } from "./schema.ts";

const MARKER = "credentialStore";
export const KEYCHAIN = "keychain";

const SESSION_FIELDS = ["accessToken", "refreshToken"] as const;
const LEGACY_FIELDS = ["accessToken"] as const;

/** One keychain item and the table whose secrets it holds. */
export interface KeychainSlot {
  item: string;
  kind: "session" | "account";
  /** The session key or the alias. */
  key: string;
  table: Record<string, unknown>;
  fields: readonly string[];
  /** The aliases whose secrets these are, for messages. */
  aliases: string[];
}

export function isMarked(table: Record<string, unknown> | undefined): boolean {
  return table?.[MARKER] === KEYCHAIN;
}

export function sessionItem(sessionKey: string): string {
  return sessionKey;
}

export function accountItem(alias: string): string {
  return `account:${alias}`;
}

/** Every keychain item the config refers to, by item name. */
export function keychainSlots(config: AblyConfig): Map<string, KeychainSlot> {
  const slots = new Map<string, KeychainSlot>();
  const accounts = config.accounts ?? {};
  const sessions = config.oauthSessions ?? {};
  let users: Map<string, string[]> | undefined;
  for (const key in sessions) {
    const session = sessions[key];
    if (!isMarked(session)) continue;
    if (!users) {
      users = new Map();
      for (const alias in accounts) {
        const sessionKey = accounts[alias].oauthSessionKey;
        if (sessionKey) users.set(sessionKey, [...users.get(sessionKey) ?? [], alias]);
      }
    }
    slots.set(sessionItem(key), {
      item: sessionItem(key),
      kind: "session",
      key,
      table: session,
      fields: SESSION_FIELDS,
      aliases: users.get(key) ?? [],
    });
  }
  for (const alias in accounts) {
    const account = accounts[alias];
    if (account.authMethod === "oauth" || !isMarked(account)) continue;
    slots.set(accountItem(alias), {
      item: accountItem(alias),
      kind: "account",
      key: alias,
      table: account,
      fields: LEGACY_FIELDS,
      aliases: [alias],
    });
  }
  return slots;
}

/**
 * The aliases whose keychain tokens a login under `alias` (unknown: derived after
 * authorization) may read or replace, or `undefined` when it can touch no keychain item.
 * The user is known only after authorization, so every marked session counts (any may
 * be the same user's, shared or replaced); a legacy account's own item only when it is
 * the alias, or could be (no --alias).
 */
export function keychainTouchableBy(
  config: AblyConfig,
  alias: string | undefined,
): string[] | undefined {
  const slots = [...keychainSlots(config).values()].filter((slot) =>
    slot.kind === "session" || alias === undefined || slot.key === alias
  );
  if (slots.length === 0) return undefined;
  return [...new Set(slots.flatMap((slot) => slot.aliases))];
}

/** The table that holds an account's secrets (its session, or itself), if any. */
export function secretTableOf(
  config: AblyConfig,
  alias: string,
): { item: string; table: Record<string, unknown> } | undefined {
  const account = config.accounts?.[alias];
  if (!account || !Object.hasOwn(config.accounts!, alias)) return undefined;
  if (account.authMethod === "oauth") {
    const key = account.oauthSessionKey;
    const sessions = config.oauthSessions;
    if (!key || !sessions || !Object.hasOwn(sessions, key)) return undefined;
    return { item: sessionItem(key), table: sessions[key] };
  }
  return { item: accountItem(alias), table: account };
}

/** Where an account's secrets are: "keychain" or "file". */
export function credentialsLocation(config: AblyConfig, alias: string): "keychain" | "file" {
  return isMarked(secretTableOf(config, alias)?.table) ? "keychain" : "file";
}

/** The item's secret: the table's secret fields as JSON, or `undefined` when it has none. */
export function secretOf(slot: KeychainSlot): string | undefined {
  const values: Record<string, string> = {};
  let any = false;
  for (const field of slot.fields) {
    const value = slot.table[field];
    if (typeof value === "string") {
      values[field] = value;
      any = true;
    }
  }
  return any ? JSON.stringify(values) : undefined;
}

/** Puts an item's secret back into its table; returns the secret strings, for redaction. */
export function fillSecret(slot: KeychainSlot, secret: string): string[] {
  let values: Record<string, unknown>;
  try {
    values = JSON.parse(secret);
  } catch {
    return [secret];
  }
  const found: string[] = [];
  for (const field of slot.fields) {
    const value = values?.[field];
    if (typeof value === "string") {
      slot.table[field] = value;
      found.push(value);
    }
  }
  return found;
}

/**
 * The config as the file must hold it: a shallow copy in which every marked
 * table lacks its secrets (key order kept; the in-memory config is untouched).
 */
export function withoutKeychainSecrets(
  config: AblyConfig,
  slots: Map<string, KeychainSlot>,
): AblyConfig {
  if (slots.size === 0) return config;
  const sessions = new Map<string, Record<string, unknown>>();
  const accounts = new Map<string, Record<string, unknown>>();
  for (const slot of slots.values()) {
    (slot.kind === "session" ? sessions : accounts).set(slot.key, without(slot.table, slot.fields));
  }
  let copy = config as Record<string, unknown>;
  if (sessions.size) {
    copy = replaced(copy, "oauthSessions", replacing(config.oauthSessions!, sessions));
  }
  if (accounts.size) copy = replaced(copy, "accounts", replacing(config.accounts!, accounts));
  return copy as AblyConfig;
}

function replacing(
  table: Record<string, unknown>,
  values: Map<string, Record<string, unknown>>,
): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(table)) copy[key] = values.has(key) ? values.get(key) : table[key];
  return copy;
}

function replaced(table: Record<string, unknown>, key: string, value: unknown) {
  return replacing(table, new Map([[key, value as Record<string, unknown>]]));
}

function without(table: Record<string, unknown>, fields: readonly string[]) {
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(table)) if (!fields.includes(key)) copy[key] = table[key];
  return copy;
}

/** Marks (or unmarks) the table holding an account's secrets; false when it has none. */
export function setKeychainMark(config: AblyConfig, alias: string, keychain: boolean): boolean {
  const found = secretTableOf(config, alias);
  if (!found) return false;
  if (keychain) found.table[MARKER] = KEYCHAIN;
  else delete found.table[MARKER];
  return true;
}

/** Said wherever it matters: the official CLI finds no token in a marked table. One account: */
export const OFFICIAL_CLI_NOTE =
  "the official Ably CLI cannot use this account until its tokens are moved back to the file: it would say the session expired";

/** The same, after a plural ("For accounts whose tokens are in the OS keychain, …"). */
export const OFFICIAL_CLI_NOTE_PLURAL =
  "the official Ably CLI cannot use them until their tokens are moved back to the file: it would say the session expired";

/** Whether any table is marked `credentialStore = "keychain"`; on every update, so cheap. */
export function usesKeychain(config: AblyConfig): boolean {
  for (const key in config.oauthSessions ?? {}) {
    if (isMarked(config.oauthSessions![key])) return true;
  }
  for (const alias in config.accounts ?? {}) {
    const account = config.accounts![alias];
    if (account.authMethod !== "oauth" && isMarked(account)) return true;
  }
  return false;
}
