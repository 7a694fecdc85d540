/**
 * An account's stored access token, when it needs no refresh. No network and
 * nothing heavy: `accounts token` reads it on its fast path, and
 * `control-access.ts` refreshes (under the lock) only when this says it must.
 */
import type { Context } from "../../context.ts";
import { CliError } from "../../errors.ts";
import { accountsOf } from "../../config/accounts.ts";
import { sessionOf } from "../../config/sessions.ts";
import type { AblyConfig } from "../../config/schema.ts";

/** A token expiring sooner than this is refreshed before it is used. */
export const REFRESH_MARGIN_MS = 60_000;

/** The account has no usable token: a new login is the fix (callers tell this apart). */
export const SESSION = { component: "session" } as const;

export interface StoredToken {
  accessToken: string;
  /** Milliseconds since the epoch; undefined for tokens with no recorded expiry (legacy). */
  expiresAt?: number;
}

/**
 * The stored token when it needs no refresh, undefined when it does; throws when there is
 * none at all. Keychain secrets must have been loaded into `config` first.
 */
export function usableToken(
  ctx: Pick<Context, "now">,
  config: AblyConfig,
  alias: string,
): StoredToken | undefined {
  const account = accountsOf(config)[alias];
  if (!account) throw new CliError(`Account "${alias}" not found.`);
  if (account.authMethod !== "oauth") {
    if (account.accessToken) return { accessToken: account.accessToken };
    throw new CliError("No access token found. Please run 'ably login'.", SESSION);
  }
  const key = account.oauthSessionKey;
  const session = key ? sessionOf(config, key) : undefined;
  if (!session?.accessToken) {
    throw new CliError("OAuth session expired. Please run 'ably login' again.", SESSION);
  }
  const expiresAt = session.accessTokenExpiresAt === undefined
    ? undefined
    : Number(session.accessTokenExpiresAt);
  if (expiresAt === undefined || ctx.now() < expiresAt - REFRESH_MARGIN_MS) {
    return { accessToken: session.accessToken, expiresAt };
  }
  return undefined;
}
