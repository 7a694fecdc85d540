/**
 * The Control API token for an account: `ABLY_ACCESS_TOKEN` if set, else the
 * stored one, refreshed 60 s before it expires. A refresh runs under the config
 * lock and re-reads the file first, so two runs never both spend the same
 * (single-use, rotating) refresh token.
 */
import type { Env } from "../cli.ts";
import { CliError } from "../errors.ts";
import { accountsOf, issuerHost } from "../config/accounts.ts";
import type { ConfigLocation } from "../config/location.ts";
import { storeSessionTokens } from "../config/login-records.ts";
import type { AblyConfig } from "../config/schema.ts";
import { readConfig, updateConfig } from "../config/store.ts";
import { OAuthError, refreshTokens } from "../oauth/tokens.ts";
import type { Reporter } from "../output/reporter.ts";

const REFRESH_MARGIN_MS = 60_000;

export interface TokenContext {
  location: ConfigLocation;
  env: Env;
  out: Reporter;
  oauthHost?: string;
  oauthTimeoutMs: number;
  lockTimeoutMs: number;
}

/** `config` is the caller's fresh read of the file, when it has one (saves a parse). */
export async function accessTokenFor(
  ctx: TokenContext,
  alias: string,
  config?: AblyConfig,
): Promise<string> {
  const fromEnv = ctx.env("ABLY_ACCESS_TOKEN");
  if (fromEnv) return fromEnv;
  config ??= (await readConfig(ctx.location.file)) ?? {};
  const stored = usableToken(config, alias);
  if (stored) return stored;

  const refreshed = await updateConfig(ctx.location, async (fresh) => {
    // Another run may have refreshed while we waited for the lock.
    const now = usableToken(fresh, alias);
    if (now) return { changed: false, value: now };
    const account = accountsOf(fresh)[alias];
    const key = account.oauthSessionKey!;
    const session = fresh.oauthSessions![key];
    if (!session.refreshToken) {
      throw new CliError("OAuth session expired. Please run 'ably login' again.");
    }
    const host = issuerHost(account.oauthHost, key, ctx.oauthHost);
    ctx.out.verbose("oauth", "refresh", `Refreshing the access token at ${host}`, { host });
    try {
      const tokens = await refreshTokens(host, session.refreshToken, {
        timeoutMs: ctx.oauthTimeoutMs,
      });
      storeSessionTokens(fresh, key, { ...tokens, scope: tokens.scope ?? session.oauthScope });
      return { changed: true, value: tokens.accessToken };
    } catch (error) {
      if (error instanceof OAuthError && error.code === "invalid_grant") {
        // Dead for every alias that shares it: forget it everywhere.
        delete fresh.oauthSessions![key];
        if (Object.keys(fresh.oauthSessions!).length === 0) delete fresh.oauthSessions;
        for (const other of Object.values(accountsOf(fresh))) {
          if (other.oauthSessionKey === key) delete other.oauthSessionKey;
        }
        return { changed: true, value: undefined };
      }
      throw new CliError(error instanceof Error ? error.message : String(error));
    }
  }, { lockTimeoutMs: ctx.lockTimeoutMs });
  if (refreshed === undefined) {
    throw new CliError(
      "OAuth session expired (the refresh token is no longer valid). Please run 'ably login' again.",
    );
  }
  return refreshed;
}

/** The stored token when it needs no refresh; throws when there is none at all. */
function usableToken(config: AblyConfig, alias: string): string | undefined {
  const account = accountsOf(config)[alias];
  if (!account) throw new CliError(`Account "${alias}" not found.`);
  if (account.authMethod !== "oauth") {
    if (account.accessToken) return account.accessToken;
    throw new CliError("No access token found. Please run 'ably login'.");
  }
  const key = account.oauthSessionKey;
  const session = key ? config.oauthSessions?.[key] : undefined;
  if (!session?.accessToken) {
    throw new CliError("OAuth session expired. Please run 'ably login' again.");
  }
  const expiresAt = session.accessTokenExpiresAt;
  if (expiresAt === undefined || Date.now() < Number(expiresAt) - REFRESH_MARGIN_MS) {
    return session.accessToken;
  }
  return undefined;
}
