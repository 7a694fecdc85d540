/**
 * The OAuth sessions of a parsed config: who uses one, its issuer, its key, its
 * tokens, and deleting one. Pure functions on data.
 */
import type { AblyConfig, OAuthSession } from "./schema.ts";
import { table } from "./validate.ts";
import { DEFAULT_OAUTH_HOST } from "../oauth/endpoint.ts";

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  scope?: string;
}

/** The aliases whose account uses the OAuth session `sessionKey`, in file order. */
export function aliasesUsing(config: AblyConfig, sessionKey: string): string[] {
  const accounts = config.accounts ?? {};
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

/** `<email or alias>::<issuer>`, lower-cased: one session per user and issuer. */
export function sessionKeyFor(alias: string, email: string, host: string): string {
  return `${(email || alias).toLowerCase()}::${host.toLowerCase()}`;
}

export function storeSessionTokens(config: AblyConfig, key: string, tokens: SessionTokens): void {
  const sessions = (config.oauthSessions ??= table());
  const session: OAuthSession = sessions[key] ?? (sessions[key] = {});
  session.accessToken = tokens.accessToken;
  session.accessTokenExpiresAt = tokens.expiresAt;
  if (tokens.scope !== undefined) session.oauthScope = tokens.scope;
  session.refreshToken = tokens.refreshToken;
}

/** Deletes the session unless another alias uses it; returns what was deleted. */
export function dropSessionIfUnused(
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
