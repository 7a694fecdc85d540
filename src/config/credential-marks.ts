/**
 * Which secrets of a config live in a secret store rather than the file. A table
 * marked `credentialStore = "<store>"` keeps every non-secret field in the file and
 * its secrets in one item of that store: an `[oauthSessions."…"]` table (item: the
 * session key) or a legacy account's table (item: `account:<alias>`, its
 * `accessToken`). The official CLI ignores the marker and finds no token.
 * Pure functions on data; nothing here knows any particular store.
 */
import type { AblyConfig } from "./schema.ts";

const MARKER = "credentialStore";

/** Where the secrets of a file-kept table are said to be. */
export const FILE = "file";

const SESSION_FIELDS = ["accessToken", "refreshToken"] as const;
const LEGACY_FIELDS = ["accessToken"] as const;

/** One item of a store and the table whose secrets it holds. */
export interface SecretSlot {
  item: string;
  /** The store's name: the table's marker. */
  store: string;
  kind: "session" | "account";
  /** The session key or the alias. */
  key: string;
  table: Record<string, unknown>;
  fields: readonly string[];
  /** The aliases whose secrets these are, for messages. */
  aliases: string[];
}

/** The store a table's secrets are in, or `undefined` for the file. */
export function storeOf(table: Record<string, unknown> | undefined): string | undefined {
  const store = table?.[MARKER];
  return typeof store === "string" && store !== "" && store !== FILE ? store : undefined;
}

export function sessionItem(sessionKey: string): string {
  return sessionKey;
}

export function accountItem(alias: string): string {
  return `account:${alias}`;
}

/** Every store item the config refers to, by item name. */
export function secretSlots(config: AblyConfig): Map<string, SecretSlot> {
  const slots = new Map<string, SecretSlot>();
  const accounts = config.accounts ?? {};
  const sessions = config.oauthSessions ?? {};
  let users: Map<string, string[]> | undefined;
  for (const key in sessions) {
    const session = sessions[key];
    const store = storeOf(session);
    if (!store) continue;
    users ??= sessionUsers(config);
    slots.set(sessionItem(key), {
      item: sessionItem(key),
      store,
      kind: "session",
      key,
      table: session,
      fields: SESSION_FIELDS,
      aliases: users.get(key) ?? [],
    });
  }
  for (const alias in accounts) {
    const account = accounts[alias];
    const store = storeOf(account);
    if (account.authMethod === "oauth" || !store) continue;
    slots.set(accountItem(alias), {
      item: accountItem(alias),
      store,
      kind: "account",
      key: alias,
      table: account,
      fields: LEGACY_FIELDS,
      aliases: [alias],
    });
  }
  return slots;
}

/** The aliases using each OAuth session, in file order. */
function sessionUsers(config: AblyConfig): Map<string, string[]> {
  const users = new Map<string, string[]>();
  const accounts = config.accounts ?? {};
  for (const alias in accounts) {
    const key = accounts[alias].oauthSessionKey;
    if (key) users.set(key, [...users.get(key) ?? [], alias]);
  }
  return users;
}

/**
 * The stores, and the aliases whose stored secrets, a login under `alias` (unknown:
 * derived after authorization) may read or replace; `undefined` when it can touch none.
 * The user is known only after authorization, so every marked session counts (any may
 * be the same user's, shared or replaced); a legacy account's own item only when it is
 * the alias, or could be (no --alias).
 */
export function storedSecretsTouchableBy(
  config: AblyConfig,
  alias: string | undefined,
): { stores: string[]; aliases: string[] } | undefined {
  const slots = [...secretSlots(config).values()].filter((slot) =>
    slot.kind === "session" || alias === undefined || slot.key === alias
  );
  if (slots.length === 0) return undefined;
  return {
    stores: [...new Set(slots.map((slot) => slot.store))],
    aliases: [...new Set(slots.flatMap((slot) => slot.aliases))],
  };
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

/** Where an account's secrets are: a store's name, or "file". */
export function credentialsLocation(config: AblyConfig, alias: string): string {
  return storeOf(secretTableOf(config, alias)?.table) ?? FILE;
}

/** The item's secret: the table's secret fields as JSON, or `undefined` when it has none. */
export function secretOf(slot: SecretSlot): string | undefined {
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
export function fillSecret(slot: SecretSlot, secret: string): string[] {
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

/** The tokens an item's secret holds (an orphaned item's, read directly). */
export function tokensOf(secret: string): { accessToken?: string; refreshToken?: string } {
  const table: Record<string, unknown> = {};
  fillSecret(
    { item: "", store: "", kind: "session", key: "", table, fields: SESSION_FIELDS, aliases: [] },
    secret,
  );
  const text = (value: unknown) => typeof value === "string" ? value : undefined;
  return { accessToken: text(table.accessToken), refreshToken: text(table.refreshToken) };
}

/**
 * The config as the file must hold it: a shallow copy in which every marked
 * table lacks its secrets (key order kept; the in-memory config is untouched).
 */
export function withoutStoredSecrets(
  config: AblyConfig,
  slots: Map<string, SecretSlot>,
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

/** Marks the table holding an account's secrets for `store` (the file: unmarks); false when none. */
export function setStoreMark(config: AblyConfig, alias: string, store: string): boolean {
  const found = secretTableOf(config, alias);
  if (!found) return false;
  if (store !== FILE) found.table[MARKER] = store;
  else delete found.table[MARKER];
  return true;
}

/** Said wherever it matters: the official CLI finds no token in a marked table. One account: */
export const OFFICIAL_CLI_NOTE =
  "the official Ably CLI cannot use this account until its tokens are moved back to the file: it would say the session expired";

/** The same, after a plural ("For accounts whose tokens are in <store>, …"). */
export const OFFICIAL_CLI_NOTE_PLURAL =
  "the official Ably CLI cannot use them until their tokens are moved back to the file: it would say the session expired";

/** The stores any table is marked for; on every update, so cheap. */
export function storesUsed(config: AblyConfig): Set<string> {
  const used = new Set<string>();
  for (const key in config.oauthSessions ?? {}) {
    const store = storeOf(config.oauthSessions![key]);
    if (store) used.add(store);
  }
  for (const alias in config.accounts ?? {}) {
    const account = config.accounts![alias];
    const store = account.authMethod !== "oauth" ? storeOf(account) : undefined;
    if (store) used.add(store);
  }
  return used;
}
