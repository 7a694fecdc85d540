/**
 * A Control API client for a configured account: the host (flag or variable,
 * else the account's own, else the default) and a token (ABLY_ACCESS_TOKEN, or
 * the stored one, refreshed 60 s before it expires). A refresh runs under the
 * config lock and re-reads the file first, so two runs never both spend the
 * same (single-use, rotating) refresh token; it goes only to the token's issuer.
 */
import type { Context } from "../../context.ts";
import { Cancelled, CliError } from "../../errors.ts";
import { accountsOf } from "../../config/accounts.ts";
import { credentialsLocation } from "../../config/credential-marks.ts";
import {
  aliasesUsing,
  deleteSession,
  issuerHost,
  sessionOf,
  storeSessionTokens,
} from "../../config/sessions.ts";
import type { AblyConfig, AccountRecord } from "../../config/schema.ts";
import {
  ControlApiError,
  type ControlClient,
  controlClient,
  DEFAULT_CONTROL_HOST,
} from "../../control/api.ts";
import { OAuthError, refreshTokens, type TokenSet } from "../../oauth/tokens.ts";
import { SESSION, type StoredToken, usableToken } from "./stored-token.ts";

export { SESSION };

/** Whether a failure is the token's (rejected or gone), so that logging in again is the fix. */
export function isTokenProblem(error: unknown): boolean {
  return (error instanceof ControlApiError &&
    (error.statusCode === 401 || error.statusCode === 403)) ||
    (error instanceof CliError && error.component === SESSION.component);
}

/** The client, and the host it talks to (for messages). */
export async function controlClientFor(
  ctx: Context,
  alias: string,
  account: AccountRecord,
  config: AblyConfig,
): Promise<{ client: ControlClient; host: string }> {
  const token = await accessTokenFor(ctx, alias, config);
  if (ctx.settings.accessToken) {
    // gh's most reported trap: say it, so a surprising account or a rejection is explained.
    ctx.out.note(
      `ABLY_ACCESS_TOKEN is set: it is used instead of account ${alias}'s own tokens.`,
    );
  }
  // A token from ABLY_ACCESS_TOKEN was not minted for the account's own host: never send it there.
  const storedHost = ctx.settings.accessToken ? undefined : account.controlHost;
  const host = ctx.settings.controlHost ?? storedHost ?? DEFAULT_CONTROL_HOST;
  ctx.out.verbose("control", "host", `Using the Control API at ${host}`, { host });
  const client = controlClient(host, token, {
    timeoutMs: ctx.settings.controlTimeoutMs,
    signal: ctx.signal,
    fetch: ctx.fetch,
    skipped: (message) => ctx.out.warning(message),
  });
  return { client, host };
}

/** `config` is the caller's fresh read of the file. */
async function accessTokenFor(ctx: Context, alias: string, config: AblyConfig): Promise<string> {
  if (ctx.settings.accessToken) return ctx.settings.accessToken;
  // Tokens kept in the OS keychain are read only now, and only this account's.
  await ctx.store.loadSecrets(config, [alias]);
  const stored = usableToken(ctx, config, alias);
  if (stored) return stored.accessToken;
  return (await refreshedToken(ctx, alias)).accessToken;
}

/** The issuer's new pair for `refreshToken`, or "invalid" when it no longer honours it. */
async function refreshAt(
  ctx: Context,
  host: string,
  refreshToken: string,
): Promise<TokenSet | "invalid"> {
  ctx.out.verbose("oauth", "refresh", `Refreshing the access token at ${host}`, { host });
  try {
    const tokens = await refreshTokens(host, refreshToken, {
      timeoutMs: ctx.settings.oauthTimeoutMs,
      signal: ctx.signal,
      now: ctx.now,
      fetch: ctx.fetch,
    });
    ctx.out.protect([tokens.accessToken, tokens.refreshToken]);
    return tokens;
  } catch (error) {
    if (error instanceof OAuthError && error.code === "invalid_grant") return "invalid";
    if (error instanceof Cancelled) throw error;
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The account's token after a refresh at its issuer, for a token `usableToken` found
 * too close to its expiry: under the lock, on the file as it is now.
 */
export async function refreshedToken(ctx: Context, alias: string): Promise<StoredToken> {
  // A refresh spends its single-use token: a keychain that would then refuse the new pair
  // is found before it is spent, not after.
  const config = await ctx.store.read();
  if (config && credentialsLocation(config, alias) === "keychain") await ctx.store.checkKeychain();
  // The plan runs again on a fresh read when the file changed under it (the official CLI
  // writes without the lock, and may be refreshing the same session): each refresh token is
  // sent once, and the issuer's answer for it is applied to whatever the file holds then.
  const answers = new Map<string, TokenSet | "invalid">();
  const { value: refreshed } = await ctx.store.update(async (fresh) => {
    // Another run (ours under the lock, or the official CLI) may have refreshed meanwhile.
    const now = usableToken(ctx, fresh, alias);
    if (now) return { changed: false, value: now };
    const account = accountsOf(fresh)[alias];
    const key = account.oauthSessionKey!;
    const session = sessionOf(fresh, key)!;
    if (!session.refreshToken) {
      throw new CliError("OAuth session expired. Please run 'ably login' again.", SESSION);
    }
    const spent = session.refreshToken;
    // Rotated (or refused) by the issuer: the old pair is not revoked again.
    const retired = [session.accessToken, spent].filter(
      (token): token is string => typeof token === "string",
    );
    let answer = answers.get(spent);
    if (!answer) {
      // The override is only a fallback for sessions that do not record their issuer.
      const host = issuerHost(account.oauthHost, key, ctx.settings.oauthHost);
      answer = await refreshAt(ctx, host, spent);
      answers.set(spent, answer);
    }
    if (answer === "invalid") {
      // Dead for every alias that shares it, on the file as it is now (a newer pair written
      // meanwhile would have been used above): forget it everywhere.
      for (const other of aliasesUsing(fresh, key)) {
        delete accountsOf(fresh)[other].oauthSessionKey;
      }
      deleteSession(fresh, key);
      return { changed: true, value: undefined, retired };
    }
    storeSessionTokens(fresh, key, { ...answer, scope: answer.scope ?? session.oauthScope });
    const expiresAt = sessionOf(fresh, key)?.accessTokenExpiresAt;
    const value: StoredToken = {
      accessToken: answer.accessToken,
      expiresAt: expiresAt === undefined ? undefined : Number(expiresAt),
    };
    return { changed: true, value, retired };
  }, { cancellable: true, reads: [alias], spends: true }).catch((error) => {
    // The new pair could not be kept (the keychain refused it after the probe): the old
    // refresh token is spent, so trying again cannot work; only a new login can.
    if (!(error instanceof CliError) || error.component !== "keychain") throw error;
    throw new CliError(
      `${error.message} The refresh token was already used, so this session has ended: log in again (ably accounts login --alias ${alias}) once the keychain takes writes.`,
      { component: "keychain", context: error.context, cause: error },
    );
  });
  if (refreshed === undefined) {
    throw new CliError(
      "OAuth session expired (the refresh token is no longer valid). Please run 'ably login' again.",
      SESSION,
    );
  }
  return refreshed;
}
