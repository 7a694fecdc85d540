/**
 * How logins, refreshes and selections are recorded in the config, with the
 * official CLI's key order so files stay byte-compatible (reference §3.3, §3.6).
 */
import { DEFAULT_OAUTH_HOST } from "../oauth/endpoint.ts";
import type { AblyConfig, AccountRecord, OAuthSession } from "./schema.ts";
import { table } from "./validate.ts";
import {
  accountsOf,
  aliasesUsing,
  appOf,
  deleteSession,
  issuerHost,
  sessionOf,
} from "./accounts.ts";

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  scope?: string;
}

/** Tokens a login took out of the file while still valid: they should be revoked. */
export interface ReplacedTokens {
  session: OAuthSession;
  /** Who minted them. */
  host: string;
}

export interface AccountInfo {
  accountId: string;
  accountName: string;
  userEmail: string;
  oauthHost?: string;
  controlHost?: string;
}

/** `<email or alias>::<issuer>`, lower-cased: one session per user and issuer. */
export function sessionKeyFor(alias: string, email: string, host: string): string {
  return `${(email || alias).toLowerCase()}::${host.toLowerCase()}`;
}

/**
 * Records an OAuth login for `alias`; every alias sharing the session sees the
 * new tokens. Returns the tokens this replaced or dropped.
 */
export function storeOAuthLogin(
  config: AblyConfig,
  alias: string,
  tokens: SessionTokens,
  info: AccountInfo,
): ReplacedTokens[] {
  const accounts = (config.accounts ??= table());
  const existing = accounts[alias];
  // The host that just minted these tokens (not whatever an earlier login used):
  // refreshes and revocations must go back to it.
  const host = info.oauthHost ?? DEFAULT_OAUTH_HOST;
  const key = sessionKeyFor(alias, info.userEmail, host);

  const replaced: ReplacedTokens[] = [];
  const oldKey = existing?.oauthSessionKey;
  if (oldKey && oldKey !== key) {
    const dropped = dropSessionIfUnused(config, oldKey, alias);
    if (dropped) {
      replaced.push({ session: dropped, host: issuerHost(existing?.oauthHost, oldKey, undefined) });
    }
  }
  const previous = config.oauthSessions?.[key];
  const superseded: OAuthSession = {
    accessToken: previous?.accessToken !== tokens.accessToken ? previous?.accessToken : undefined,
    refreshToken: previous?.refreshToken !== tokens.refreshToken
      ? previous?.refreshToken
      : undefined,
  };
  if (superseded.accessToken || superseded.refreshToken) {
    replaced.push({ session: superseded, host: issuerHost(undefined, key, undefined) });
  }
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
  return replaced;
}

/**
 * Records a pasted access token (a legacy, non-OAuth account, as the 0.x CLI
 * made). Returns the OAuth tokens this dropped, if the alias had its own session.
 */
export function storeTokenLogin(
  config: AblyConfig,
  alias: string,
  accessToken: string,
  info: AccountInfo,
): ReplacedTokens[] {
  const accounts = (config.accounts ??= table());
  const existing = accounts[alias];
  const oldKey = existing?.oauthSessionKey;
  const dropped = oldKey ? dropSessionIfUnused(config, oldKey, alias) : undefined;
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
  return dropped && oldKey
    ? [{ session: dropped, host: issuerHost(existing?.oauthHost, oldKey, undefined) }]
    : [];
}

export function storeSessionTokens(config: AblyConfig, key: string, tokens: SessionTokens): void {
  const sessions = (config.oauthSessions ??= table());
  const session: OAuthSession = sessions[key] ?? (sessions[key] = {});
  session.accessToken = tokens.accessToken;
  session.accessTokenExpiresAt = tokens.expiresAt;
  if (tokens.scope !== undefined) session.oauthScope = tokens.scope;
  session.refreshToken = tokens.refreshToken;
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

/** Deletes the session unless another alias uses it; returns what was deleted. */
function dropSessionIfUnused(
  config: AblyConfig,
  key: string,
  exceptAlias: string,
): OAuthSession | undefined {
  const session = sessionOf(config, key);
  if (!session || aliasesUsing(config, key).some((alias) => alias !== exceptAlias)) {
    return undefined;
  }
  deleteSession(config, key);
  return session;
}

function ensureCurrentTable(config: AblyConfig): void {
  config.current ??= {};
}
