/** Queries and edits of the accounts in a parsed config. Pure functions on data. */
import type { AblyConfig, AccountRecord, OAuthSession } from "./schema.ts";
import { table } from "./validate.ts";
import { DEFAULT_OAUTH_HOST } from "../oauth/endpoint.ts";

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

/** The aliases whose account uses the OAuth session `sessionKey`, in file order. */
export function aliasesUsing(config: AblyConfig, sessionKey: string): string[] {
  const accounts = accountsOf(config);
  return Object.keys(accounts).filter((alias) => accounts[alias].oauthSessionKey === sessionKey);
}

/** Deletes a session; an `[oauthSessions]` table left empty goes too, as the official CLI does. */
export function deleteSession(config: AblyConfig, sessionKey: string): void {
  const sessions = config.oauthSessions;
  if (!sessions || !Object.hasOwn(sessions, sessionKey)) return;
  delete sessions[sessionKey];
  if (Object.keys(sessions).length === 0) delete config.oauthSessions;
}

/** The session `sessionKey`, if the file has it (never an inherited property). */
export function sessionOf(config: AblyConfig, sessionKey: string): OAuthSession | undefined {
  const sessions = config.oauthSessions;
  return sessions && Object.hasOwn(sessions, sessionKey) ? sessions[sessionKey] : undefined;
}

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

/** The sessions that removing `aliases` would leave unused (and so delete). */
export function sessionsOnlyUsedBy(config: AblyConfig, aliases: string[]): string[] {
  const leaving = new Set(aliases);
  const keys = new Set<string>();
  for (const alias of aliases) {
    const key = accountsOf(config)[alias]?.oauthSessionKey;
    if (key && sessionOf(config, key)) keys.add(key);
  }
  return [...keys].filter((key) => aliasesUsing(config, key).every((a) => leaving.has(a)));
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

/**
 * The server that minted a session's tokens, and so the only one they may be
 * sent to: the account's `oauthHost`, else the issuer recorded in the session
 * key (`email::host`), else the `--oauth-host` fallback, else ably.com.
 */
export function issuerHost(
  oauthHost: string | undefined,
  sessionKey: string,
  fallbackHost: string | undefined,
): string {
  const separator = sessionKey.lastIndexOf("::");
  const issuer = separator >= 0 ? sessionKey.slice(separator + 2) : "";
  return oauthHost || issuer || fallbackHost || DEFAULT_OAUTH_HOST;
}
