/**
 * Queries and edits of the accounts in a parsed config: resolving an alias or ID,
 * recording a login or a selection, removing an account. Edits keep the official
 * CLI's key order, so files stay byte-compatible (reference §3.3, §3.6). Pure
 * functions on data.
 */
import type { AblyConfig, AccountRecord, OAuthSession } from "./schema.ts";
import { table } from "./validate.ts";
import { DEFAULT_OAUTH_HOST } from "../oauth/endpoint.ts";
import {
  aliasesUsing,
  deleteSession,
  dropSessionIfUnused,
  sessionKeyFor,
  sessionOf,
  type SessionTokens,
  storeSessionTokens,
} from "./sessions.ts";

export type Resolution =
  | { kind: "found"; alias: string }
  | { kind: "empty" }
  | { kind: "not-found" }
  | { kind: "ambiguous-id"; aliases: string[] };

export function accountsOf(config: AblyConfig): Record<string, AccountRecord> {
  return config.accounts ?? table();
}

export function currentAlias(config: AblyConfig): string | undefined {
  return config.current?.account || undefined;
}

/** An app of the account by ID: only its own entries, never an inherited property. */
export function appOf(
  account: AccountRecord | undefined,
  appId: string,
): Record<string, unknown> | undefined {
  const apps = account?.apps;
  return apps && Object.hasOwn(apps, appId) ? apps[appId] : undefined;
}

/**
 * The account's current app. Configs from the 0.x CLI keep it as `current.app`
 * (for the current account); the official CLI migrates that on load, we read it
 * in place so read-only commands never write.
 */
export function currentAppIdOf(config: AblyConfig, alias: string): string | undefined {
  const account = accountsOf(config)[alias];
  if (account?.currentAppId) return account.currentAppId;
  return currentAlias(config) === alias ? config.current?.app || undefined : undefined;
}

/**
 * An exact alias wins; otherwise an exact account ID, which must name a single
 * alias. Nothing fuzzy: a logout must never pick an account the user did not name.
 */
export function resolveAccount(config: AblyConfig, aliasOrId: string): Resolution {
  if (aliasOrId === "") return { kind: "empty" };
  const accounts = accountsOf(config);
  if (Object.hasOwn(accounts, aliasOrId)) return { kind: "found", alias: aliasOrId };
  const byId = Object.keys(accounts).filter((alias) => accounts[alias].accountId === aliasOrId);
  if (byId.length === 1) return { kind: "found", alias: byId[0] };
  if (byId.length > 1) return { kind: "ambiguous-id", aliases: byId };
  return { kind: "not-found" };
}

export interface AccountSummary {
  alias: string;
  id?: string;
  name?: string;
}

export function accountSummaries(config: AblyConfig): AccountSummary[] {
  return Object.entries(accountsOf(config)).map(([alias, account]) => ({
    alias,
    ...(account.accountId === undefined ? {} : { id: account.accountId }),
    ...(account.accountName === undefined ? {} : { name: account.accountName }),
  }));
}

export type Credentials =
  | {
    kind: "oauth";
    sessionKey: string;
    session: OAuthSession;
    oauthHost?: string;
    sharedWith: string[];
  }
  | { kind: "legacy"; hasToken: boolean }
  | { kind: "no-session" };

/** What secrets an account holds, and whether other aliases hold the same ones. */
export function credentialsOf(config: AblyConfig, alias: string): Credentials {
  const account = accountsOf(config)[alias];
  if (account?.authMethod !== "oauth") {
    return { kind: "legacy", hasToken: Boolean(account?.accessToken) };
  }
  const sessionKey = account.oauthSessionKey;
  const session = sessionKey ? sessionOf(config, sessionKey) : undefined;
  if (!sessionKey || !session) return { kind: "no-session" };
  const sharedWith = aliasesUsing(config, sessionKey).filter((other) => other !== alias);
  return { kind: "oauth", sessionKey, session, oauthHost: account.oauthHost, sharedWith };
}

/**
 * Deletes the account; its OAuth session goes too once no alias uses it. The
 * current selection is cleared (not moved) when it was this account, as the
 * official CLI does; the `[current]` table itself stays.
 */
/** Returns the aliases left, in file order. */
export function removeAccount(config: AblyConfig, alias: string): string[] {
  const accounts = accountsOf(config);
  const sessionKey = accounts[alias]?.oauthSessionKey;
  delete accounts[alias];
  if (sessionKey && aliasesUsing(config, sessionKey).length === 0) {
    deleteSession(config, sessionKey);
  }

  if (config.current?.account === alias) {
    delete config.current.account;
    // A legacy `current.app` belonged to the account that was current.
    delete config.current.app;
  }
  return Object.keys(accounts);
}

export interface AccountInfo {
  accountId: string;
  accountName: string;
  userEmail: string;
  oauthHost?: string;
  controlHost?: string;
}

/**
 * Records an OAuth login for `alias`; every alias sharing the session sees the
 * new tokens.
 */
export function storeOAuthLogin(
  config: AblyConfig,
  alias: string,
  tokens: SessionTokens,
  info: AccountInfo,
): void {
  const accounts = (config.accounts ??= table());
  const existing = accounts[alias];
  // The host that just minted these tokens (not whatever an earlier login used):
  // refreshes and revocations must go back to it.
  const host = info.oauthHost ?? DEFAULT_OAUTH_HOST;
  const key = sessionKeyFor(alias, info.userEmail, host);

  // The alias's old session goes when no other alias uses it (the store revokes its tokens).
  const oldKey = existing?.oauthSessionKey;
  if (oldKey && oldKey !== key) dropSessionIfUnused(config, oldKey, alias);
  storeSessionTokens(config, key, tokens);

  const fields: AccountRecord = {
    accountId: info.accountId,
    accountName: info.accountName,
    apps: existing?.apps ?? table(),
    authMethod: "oauth",
    // The hosts this login used: a stale host from an earlier login must not stay attached.
    controlHost: info.controlHost,
    currentAppId: existing?.currentAppId,
    oauthHost: info.oauthHost,
    oauthSessionKey: key,
    userEmail: info.userEmail,
  };
  if (existing && existing.accountId && existing.accountId !== info.accountId) {
    // The alias now names another account: the old account's apps and endpoint do not apply.
    fields.apps = table();
    delete existing.currentAppId;
    delete existing.endpoint;
    fields.currentAppId = undefined;
  }
  // Keys are assigned even when undefined (smol-toml skips them on write): they
  // hold their place, so a later `currentAppId` lands where the official CLI puts it.
  const account = existing ?? (accounts[alias] = {});
  Object.assign(account, fields);
  delete account.accessToken;
  delete account.accessTokenExpiresAt;
  delete account.tokenId;
  ensureCurrentTable(config);
}

/**
 * Records a pasted access token (a legacy, non-OAuth account, as the 0.x CLI
 * made). An OAuth session only this alias used goes.
 */
export function storeTokenLogin(
  config: AblyConfig,
  alias: string,
  accessToken: string,
  info: AccountInfo,
): void {
  const accounts = (config.accounts ??= table());
  const existing = accounts[alias];
  const oldKey = existing?.oauthSessionKey;
  if (oldKey) dropSessionIfUnused(config, oldKey, alias);
  const sameAccount = existing?.accountId === info.accountId;
  accounts[alias] = {
    accessToken,
    accountId: info.accountId,
    accountName: info.accountName,
    userEmail: info.userEmail,
    tokenId: "unknown",
    ...(sameAccount && existing?.currentAppId ? { currentAppId: existing.currentAppId } : {}),
    ...(sameAccount && existing?.endpoint ? { endpoint: existing.endpoint } : {}),
    ...(info.controlHost ? { controlHost: info.controlHost } : {}),
    apps: sameAccount ? existing?.apps ?? table() : table(),
  };
  ensureCurrentTable(config);
}

export function setCurrentAccount(config: AblyConfig, alias: string): void {
  ensureCurrentTable(config);
  const current = config.current!;
  // A 0.x `current.app` belongs to the account that was current: keep it with that account.
  if (current.app !== undefined && current.account !== alias) {
    const previous = current.account ? accountsOf(config)[current.account] : undefined;
    if (previous && !previous.currentAppId) previous.currentAppId = current.app;
    delete current.app;
  }
  current.account = alias;
}

export function setEndpoint(config: AblyConfig, alias: string, endpoint: string): void {
  config.accounts![alias].endpoint = endpoint;
}

/** Makes `app` the account's current app, remembering its name and (optionally) its key. */
export function storeAppSelection(
  config: AblyConfig,
  alias: string,
  app: { id: string; name: string },
  key?: { id: string; name?: string; key: string },
): void {
  const account = config.accounts![alias];
  account.currentAppId = app.id;
  const apps = (account.apps ??= table());
  const entry = appOf(account, app.id) ?? {};
  // defineProperty: an ID such as "__proto__" must become a key, not a prototype.
  Object.defineProperty(apps, app.id, {
    value: entry,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  if (key) entry.apiKey = key.key;
  entry.appName = app.name;
  if (key) {
    entry.keyId = key.id;
    entry.keyName = key.name || "Unnamed key";
  }
}

function ensureCurrentTable(config: AblyConfig): void {
  config.current ??= {};
}
