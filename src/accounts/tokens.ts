/**
 * An account's access token: the stored one when it is usable (the one expiry rule), else
 * one refreshed at its issuer under the lock. A refresh re-reads the file first and sends
 * each refresh token once however often the update is redone (the official CLI writes the
 * same file without a lock, and may be refreshing the same session), so two runs never
 * both spend one single-use, rotating refresh token, and a refusal never deletes a
 * session on the strength of a stale read. Tokens go only to their issuer.
 */
import { accountsOf } from "../config/accounts.ts";
import { credentialsLocation, FILE } from "../config/credential-marks.ts";
import {
  aliasesUsing,
  deleteSession,
  issuerHost,
  sessionOf,
  storeSessionTokens,
} from "../config/sessions.ts";
import type { AblyConfig, OAuthSession } from "../config/schema.ts";
import type { TokenSet } from "../oauth/tokens.ts";
import { StoreError } from "../credentials/store.ts";
import type { Engine } from "./engine.ts";
import type { PlanFn } from "../config/store.ts";
import { NotConfigured, SessionEnded } from "./errors.ts";

/** A token expiring sooner than this is refreshed before it is used. */
export const REFRESH_MARGIN_MS = 60_000;

export interface StoredToken {
  accessToken: string;
  /** Milliseconds since the epoch; undefined for tokens with no recorded expiry (legacy). */
  expiresAt?: number;
}

/** When a session's access token expires, if it records that. */
export function expiryOf(session: OAuthSession): number | undefined {
  const raw = session.accessTokenExpiresAt;
  const at = raw === undefined ? undefined : Number(raw);
  return at !== undefined && Number.isFinite(at) ? at : undefined;
}

/** The expiry rule, once: past it a token is not sent; within the margin it is refreshed. */
export function tokenState(
  expiresAt: number | undefined,
  now: number,
): "valid" | "expiring" | "expired" {
  if (expiresAt === undefined) return "valid";
  if (now >= expiresAt) return "expired";
  return now >= expiresAt - REFRESH_MARGIN_MS ? "expiring" : "valid";
}

/**
 * The stored token when it needs no refresh, undefined when it does; throws when there is
 * none at all. Stored secrets must have been loaded into `config` first.
 */
export function usableToken(
  now: number,
  config: AblyConfig,
  alias: string,
): StoredToken | undefined {
  const account = accountsOf(config)[alias];
  if (!account) throw new NotConfigured(alias);
  if (account.authMethod !== "oauth") {
    if (account.accessToken) return { accessToken: account.accessToken };
    throw new SessionEnded('No access token found. Please run "ably login".');
  }
  const key = account.oauthSessionKey;
  const session = key ? sessionOf(config, key) : undefined;
  if (!session?.accessToken) {
    throw new SessionEnded('OAuth session expired. Please run "ably login" again.');
  }
  const expiresAt = expiryOf(session);
  if (tokenState(expiresAt, now) === "valid") {
    return { accessToken: session.accessToken, expiresAt };
  }
  return undefined;
}

/** The account's token to send: ABLY_ACCESS_TOKEN, the stored one, or a refreshed one. */
export async function accessToken(
  engine: Engine,
  alias: string,
  config: AblyConfig,
): Promise<string> {
  if (engine.settings.accessToken) return engine.settings.accessToken;
  // Secrets kept in a store are read only now, and only this account's.
  await engine.loadSecrets(config, [alias]);
  const stored = usableToken(engine.now(), config, alias);
  if (stored) return stored.accessToken;
  return (await refreshedToken(engine, alias)).accessToken;
}

/**
 * The account's token after a refresh at its issuer, for a token `usableToken` found
 * too close to its expiry: under the lock, on the file as it is now.
 */
export async function refreshedToken(engine: Engine, alias: string): Promise<StoredToken> {
  // A refresh spends its single-use token: a store that would then refuse the new pair
  // is found before it is spent, not after.
  const store = credentialsLocation(await engine.read(), alias);
  const label = store === FILE ? undefined : (await (await engine.sync()).store(store)).label;
  if (store !== FILE) await (await engine.sync()).check(store);
  const { value: refreshed } = await engine.update(refreshPlan(engine, alias), {
    cancellable: true,
    reads: [alias],
    spends: true,
  }).catch((error) => {
    // The new pair could not be kept (the store refused it after the probe): the old
    // refresh token is spent, so trying again cannot work; only a new login can.
    if (!(error instanceof StoreError)) throw error;
    throw new StoreError(
      error.problem,
      `${error.message} The refresh token was already used, so this session has ended: log in again (ably accounts login --alias ${alias}) once ${
        label ?? "it"
      } takes writes.`,
      { accounts: error.accounts, fix: error.fix, cause: error },
    );
  });
  if (refreshed === undefined) {
    throw new SessionEnded(
      'OAuth session expired (the refresh token is no longer valid). Please run "ably login" again.',
    );
  }
  return refreshed;
}

/** The session as the first read had it, and the issuer its token was sent to. */
interface Spent {
  key: string;
  host: string;
  refreshToken: string;
  aliases: string[];
}

/**
 * The refresh as a plan the transaction may run more than once (the file changed under
 * it): each refresh token is sent once, and the issuer's answer for it is applied to
 * whatever the file holds then.
 */
function refreshPlan(engine: Engine, alias: string): PlanFn<StoredToken | undefined> {
  const answers = new Map<string, TokenSet | "invalid">();
  // The session as the first read had it: a redo may find it cleared by the official CLI,
  // whose own refresh of the same token failed because ours had spent it.
  let spent: Spent | undefined;
  return async (fresh) => {
    const pair = spent && answers.get(spent.refreshToken);
    let restored = false;
    if (spent && pair && pair !== "invalid" && cleared(fresh, spent)) {
      const back = await restore(engine, fresh, alias, spent, pair);
      if (back.value) return { changed: true, value: back.value };
      // `alias` was logged in again meanwhile: its new session's token, below.
      restored = back.edited;
    }
    // Another run (ours under the lock, or the official CLI) may have refreshed meanwhile.
    const now = usableToken(engine.now(), fresh, alias);
    if (now) return { changed: restored, value: now };
    const account = accountsOf(fresh)[alias];
    const key = account.oauthSessionKey!;
    const session = sessionOf(fresh, key)!;
    if (!session.refreshToken) {
      throw new SessionEnded('OAuth session expired. Please run "ably login" again.');
    }
    const refreshToken = session.refreshToken;
    // The override is only a fallback for sessions that do not record their issuer.
    const host = issuerHost(account.oauthHost, key, engine.settings.oauthHost);
    spent ??= { key, host, refreshToken, aliases: aliasesUsing(fresh, key) };
    // Rotated (or refused) by the issuer: the old pair is not revoked again.
    const retired = [session.accessToken, refreshToken].filter(
      (token): token is string => typeof token === "string",
    );
    let answer = answers.get(refreshToken);
    if (!answer) {
      answer = await refreshAt(engine, host, refreshToken);
      answers.set(refreshToken, answer);
    }
    if (answer === "invalid") {
      // Dead for every alias that shares it, on the file as it is now (a newer pair written
      // meanwhile would have been used above): forget it everywhere.
      for (const other of aliasesUsing(fresh, key)) delete accountsOf(fresh)[other].oauthSessionKey;
      deleteSession(fresh, key);
      return { changed: true, value: undefined, retired };
    }
    // An answer without a scope keeps the session's (storeSessionTokens leaves it).
    storeSessionTokens(fresh, key, answer);
    const value: StoredToken = {
      accessToken: answer.accessToken,
      expiresAt: expiryOf(sessionOf(fresh, key)!),
    };
    return { changed: true, value, retired };
  };
}

/** Whether the session we refreshed is gone from the file, or from every alias that used it. */
function cleared(config: AblyConfig, spent: { key: string; aliases: string[] }): boolean {
  const accounts = accountsOf(config);
  return !sessionOf(config, spent.key) ||
    !spent.aliases.some((alias) => accounts[alias]?.oauthSessionKey === spent.key);
}

/**
 * Puts back a session another tool cleared while we held its live pair (its refresh had
 * failed on the token ours spent): the session with our pair, and its key on the aliases
 * that used it and point nowhere else now (one logged in again meanwhile keeps its new
 * session). When no alias takes it back (logged out, or logged in again), the pair we were
 * given must not outlive it: it is revoked, and nothing is put back. `value` is `alias`'s
 * token when it took the pair back; `edited`, whether the config was.
 */
async function restore(
  engine: Engine,
  config: AblyConfig,
  alias: string,
  spent: Spent,
  pair: TokenSet,
): Promise<{ value?: StoredToken; edited: boolean }> {
  const accounts = accountsOf(config);
  const present = spent.aliases.filter((user) => Object.hasOwn(accounts, user));
  const takers = present.filter((user) => !accounts[user].oauthSessionKey);
  if (takers.length === 0) {
    const { revokeTokenPair } = await import("../oauth/revoke.ts");
    await revokeTokenPair(
      { access: pair.accessToken, refresh: pair.refreshToken },
      { host: spent.host, timeoutMs: engine.settings.oauthTimeoutMs, fetch: engine.fetch },
    );
    if (present.length === 0) {
      throw new NotConfigured(
        alias,
        `Account "${alias}" was logged out while its token was refreshed.`,
      );
    }
    return { edited: false };
  }
  storeSessionTokens(config, spent.key, pair);
  for (const user of takers) accounts[user].oauthSessionKey = spent.key;
  const own = accounts[alias]?.oauthSessionKey;
  if (own !== undefined && own !== spent.key) return { edited: true };
  const value = {
    accessToken: pair.accessToken,
    expiresAt: expiryOf(sessionOf(config, spent.key)!),
  };
  return { value, edited: true };
}

/** The issuer's new pair for `refreshToken`, or "invalid" when it no longer honours it. */
async function refreshAt(
  engine: Engine,
  host: string,
  refreshToken: string,
): Promise<TokenSet | "invalid"> {
  engine.out.verbose("oauth", "refresh", `Refreshing the access token at ${host}`, { host });
  // The OAuth client only when a refresh is due: the usual path reads the file alone.
  const { OAuthError, refreshTokens } = await import("../oauth/tokens.ts");
  try {
    const tokens = await refreshTokens(host, refreshToken, {
      timeoutMs: engine.settings.oauthTimeoutMs,
      signal: engine.signal,
      now: engine.now,
      fetch: engine.fetch,
    });
    engine.out.protect([tokens.accessToken, tokens.refreshToken]);
    return tokens;
  } catch (error) {
    if (error instanceof OAuthError && error.code === "invalid_grant") return "invalid";
    throw error;
  }
}
