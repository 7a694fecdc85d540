/**
 * Which secrets of a config live in a secret store rather than the file, and under which
 * item names. A table marked `credentialStore = "<store>"` keeps every non-secret field in
 * the file and its secrets in items of that store: an `[oauthSessions."…"]` table (its
 * tokens), a legacy account's table (its `accessToken`), and each app of a marked account
 * (its `apiKey`, one item per app, so that an account with many apps never outgrows an
 * item). Item names carry the config's own namespace (`credentialNamespace`, a random id
 * kept in the file), so that two config directories never share or overwrite an item;
 * items named before namespaces existed are read under their old names and carried over
 * on the next write. The official CLI ignores the marker and finds no secret.
 * Pure functions on data; nothing here knows any particular store.
 */
import type { AblyConfig } from "./schema.ts";

const MARKER = "credentialStore";
const NAMESPACE = "credentialNamespace";

/** Where the secrets of a file-kept table are said to be. */
export const FILE = "file";

const SESSION_FIELDS = ["accessToken", "refreshToken"] as const;
const LEGACY_FIELDS = ["accessToken"] as const;
const KEY_FIELDS = ["apiKey"] as const;

/** One item of a store and the table whose secrets it holds. */
export interface SecretSlot {
  item: string;
  /** The name the item had before the config had a namespace, to read it from and carry over. */
  legacy?: string;
  /** The store's name: the table's marker. */
  store: string;
  /** A session's tokens, a legacy account's token, or an app's API key. */
  kind: "session" | "account" | "key";
  /** The session key, or the alias (for a key: `alias`, with `app`). */
  key: string;
  app?: string;
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

/** The config's namespace for item names, if it has one. */
export function namespaceOf(config: AblyConfig): string | undefined {
  const namespace = config[NAMESPACE];
  return typeof namespace === "string" && /^[0-9a-f]{12}$/.test(namespace) ? namespace : undefined;
}

/** The config's namespace, given one now (a random id) when it has none. */
export function ensureNamespace(config: AblyConfig): string {
  const found = namespaceOf(config);
  if (found) return found;
  const namespace = crypto.randomUUID().replaceAll("-", "").slice(0, 12);
  // First in the file, as a top-level key is written.
  const rest = { ...config };
  for (const key of Object.keys(config)) delete config[key];
  Object.assign(config, { [NAMESPACE]: namespace }, rest);
  return namespace;
}

/** The prefix of every item a config with `namespace` names. */
export function itemPrefix(namespace: string): string {
  return `cfg-${namespace}:`;
}

/** An item name read back: whose namespace it is in (none: named before namespaces). */
export function namespaceOfItem(item: string): string | undefined {
  return /^cfg-([0-9a-f]{12}):/.exec(item)?.[1];
}

/** An item's name in the config's namespace, and the one it had before namespaces. */
function names(namespace: string | undefined, current: string, before?: string) {
  return namespace === undefined
    ? { item: before ?? current }
    : { item: `${itemPrefix(namespace)}${current}`, ...(before ? { legacy: before } : {}) };
}

export function sessionItem(config: AblyConfig, sessionKey: string) {
  return names(namespaceOf(config), `session:${sessionKey}`, sessionKey);
}

function accountItem(config: AblyConfig, alias: string) {
  return names(namespaceOf(config), `token:${alias}`, `account:${alias}`);
}

function keyItem(config: AblyConfig, alias: string, appId: string) {
  return names(namespaceOf(config), `key:${alias}:${appId}`);
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
    const name = sessionItem(config, key);
    slots.set(name.item, {
      ...name,
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
    if (!store) continue;
    if (account.authMethod !== "oauth") {
      const name = accountItem(config, alias);
      slots.set(name.item, {
        ...name,
        store,
        kind: "account",
        key: alias,
        table: account,
        fields: LEGACY_FIELDS,
        aliases: [alias],
      });
    }
    for (const appId in account.apps ?? {}) {
      const name = keyItem(config, alias, appId);
      slots.set(name.item, {
        ...name,
        store,
        kind: "key",
        key: alias,
        app: appId,
        table: account.apps![appId],
        fields: KEY_FIELDS,
        aliases: [alias],
      });
    }
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

/** The table that holds an account's tokens (its session, or itself), if any. */
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
    return { item: sessionItem(config, key).item, table: sessions[key] };
  }
  return { item: accountItem(config, alias).item, table: account };
}

/** The items holding every secret of an account: its tokens' and its apps' keys'. */
export function itemsOfAccount(config: AblyConfig, alias: string): string[] {
  const items = [...secretSlots(config).values()].filter((slot) =>
    slot.kind === "session" ? slot.aliases.includes(alias) : slot.key === alias
  );
  return items.map((slot) => slot.item);
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

/** Every string an item's secret holds (its JSON's values, or itself), to keep out of output. */
export function stringsOf(secret: string): string[] {
  try {
    const values = JSON.parse(secret);
    if (values && typeof values === "object") {
      return [secret, ...Object.values(values).filter((v): v is string => typeof v === "string")];
    }
  } catch {
    // Not ours: all of it is the secret.
  }
  return [secret];
}

/**
 * What an item's name says of it, read back from a store: its namespace, what it holds,
 * and (for a session) the issuer that minted its tokens, the only place to revoke them.
 */
export function describeItem(item: string): {
  namespace?: string;
  kind: "session" | "account" | "key" | "unknown";
  issuer?: string;
} {
  const namespace = namespaceOfItem(item);
  const rest = namespace === undefined ? item : item.slice(itemPrefix(namespace).length);
  const issuerOf = (key: string) => {
    const at = key.lastIndexOf("::");
    return at >= 0 && at + 2 < key.length ? key.slice(at + 2) : undefined;
  };
  if (namespace === undefined) {
    if (rest.startsWith("account:")) return { kind: "account" };
    return rest.includes("::") ? { kind: "session", issuer: issuerOf(rest) } : { kind: "unknown" };
  }
  if (rest.startsWith("session:")) return { namespace, kind: "session", issuer: issuerOf(rest) };
  if (rest.startsWith("token:")) return { namespace, kind: "account" };
  if (rest.startsWith("key:")) return { namespace, kind: "key" };
  return { namespace, kind: "unknown" };
}

/**
 * The config as the file must hold it: a shallow copy in which every marked table lacks
 * its secrets, tables copied only along the way to them (key order kept; the in-memory
 * config is untouched).
 */
export function withoutStoredSecrets(
  config: AblyConfig,
  slots: Map<string, SecretSlot>,
): AblyConfig {
  if (slots.size === 0) return config;
  const sessions = new Map<string, Record<string, unknown>>();
  const accounts = new Map<string, Record<string, unknown>>();
  const apps = new Map<string, Map<string, Record<string, unknown>>>();
  for (const slot of slots.values()) {
    if (slot.kind === "session") sessions.set(slot.key, without(slot.table, slot.fields));
    else if (slot.kind === "account") accounts.set(slot.key, without(slot.table, slot.fields));
    else {
      const of = apps.get(slot.key) ?? new Map();
      of.set(slot.app!, without(slot.table, slot.fields));
      apps.set(slot.key, of);
    }
  }
  for (const [alias, changed] of apps) {
    const account = accounts.get(alias) ?? config.accounts![alias];
    const appTable = account.apps as Record<string, unknown>;
    accounts.set(alias, replaced(account, "apps", replacing(appTable, changed)));
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

/**
 * Marks every table holding an account's secrets for `store` (the file: unmarks): the table
 * of its tokens (its session, shared or not, or itself) and the account itself, whose apps'
 * keys follow it. A config gains its namespace with its first stored secret. False when the
 * account has no tokens at all.
 */
export function setStoreMark(config: AblyConfig, alias: string, store: string): boolean {
  const found = secretTableOf(config, alias);
  if (!found) return false;
  const account = config.accounts![alias];
  for (const table of new Set([found.table, account as Record<string, unknown>])) {
    if (store !== FILE) table[MARKER] = store;
    else delete table[MARKER];
  }
  if (store !== FILE) ensureNamespace(config);
  return true;
}

/**
 * An account whose tokens are kept in a store but whose own table is not marked (a login
 * from before API keys followed) is marked too, where `completes` allows it for the store,
 * so its apps' keys move there with the next write; a config with stored secrets and no namespace gets one, and one with none left
 * loses it. Returns whether it changed.
 */
export function completeMarks(
  config: AblyConfig,
  completes: (store: string) => boolean = () => true,
): boolean {
  let changed = false;
  for (const alias in config.accounts ?? {}) {
    const account = config.accounts![alias];
    const store = storeOf(secretTableOf(config, alias)?.table);
    if (store && !storeOf(account) && completes(store)) {
      account[MARKER] = store;
      changed = true;
    }
  }
  const stored = storesUsed(config).size > 0;
  if (stored && !namespaceOf(config)) {
    ensureNamespace(config);
    changed = true;
  } else if (!stored && config[NAMESPACE] !== undefined) {
    // Nothing kept in a store any more: the file is as it was before (a move in and back
    // round-trips byte for byte); the items were deleted with the move.
    delete config[NAMESPACE];
    changed = true;
  }
  return changed;
}

/** The stores any table is marked for; on every update, so cheap. */
export function storesUsed(config: AblyConfig): Set<string> {
  const used = new Set<string>();
  for (const key in config.oauthSessions ?? {}) {
    const store = storeOf(config.oauthSessions![key]);
    if (store) used.add(store);
  }
  for (const alias in config.accounts ?? {}) {
    const store = storeOf(config.accounts![alias]);
    if (store) used.add(store);
  }
  return used;
}
