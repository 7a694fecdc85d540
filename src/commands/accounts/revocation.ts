/**
 * Decides whether and where an account's OAuth tokens are revoked, revokes
 * them, and describes the outcome for the user. Tokens only ever go to the
 * authorization server that minted them.
 */
import type { Credentials } from "../../config/accounts.ts";
import type { OAuthSession } from "../../config/schema.ts";
import { DEFAULT_OAUTH_HOST } from "../../oauth/endpoint.ts";
import { revokeTokenPair } from "../../oauth/revoke.ts";
import type { Reporter } from "../../output/reporter.ts";

export type TokenOutcome =
  | { status: "revoked" }
  | { status: "failed"; reason: string }
  | { status: "skipped"; reason: "shared-session"; sharedWith: string[] }
  | { status: "skipped"; reason: "legacy-token" | "no-session" };

/** What happened to each token; this is the JSON result's `account.revocation`. */
export interface Revocation {
  access: TokenOutcome;
  refresh: TokenOutcome;
}

export interface RevocationState {
  result: Revocation;
  /** Every token value a revocation request was sent for. */
  attempted: Set<string>;
}

export interface RevokeSettings {
  /** `--oauth-host` / `ABLY_OAUTH_HOST`: used only when the account does not say who minted it. */
  fallbackHost?: string;
  timeoutMs: number;
}

/**
 * The server that minted the tokens: the account's `oauthHost`, else the issuer
 * recorded in its session key (`email::host`), else the flag, else ably.com.
 */
export function revocationHost(
  oauthHost: string | undefined,
  sessionKey: string,
  fallbackHost: string | undefined,
): string {
  const separator = sessionKey.lastIndexOf("::");
  const issuer = separator >= 0 ? sessionKey.slice(separator + 2) : "";
  return oauthHost || issuer || fallbackHost || DEFAULT_OAUTH_HOST;
}

export async function revokeAccountTokens(
  out: Reporter,
  credentials: Credentials,
  settings: RevokeSettings,
): Promise<RevocationState> {
  if (credentials.kind !== "oauth") {
    const reason = credentials.kind === "legacy" && credentials.hasToken
      ? "legacy-token"
      : "no-session";
    out.verbose("oauth", "revokeSkipped", `Token revocation skipped (${reason})`);
    return state({ status: "skipped", reason }, { status: "skipped", reason });
  }
  if (credentials.sharedWith.length) {
    const skipped = {
      status: "skipped",
      reason: "shared-session",
      sharedWith: credentials.sharedWith,
    } as const;
    out.verbose("oauth", "revokeSkipped", "Token revocation skipped (shared-session)");
    return state(skipped, skipped);
  }
  const host = revocationHost(credentials.oauthHost, credentials.sessionKey, settings.fallbackHost);
  const current = state({ status: "skipped", reason: "no-session" }, {
    status: "skipped",
    reason: "no-session",
  });
  await revokeInto(out, current, credentials.session, host, settings.timeoutMs);
  return current;
}

/**
 * Revokes the tokens of a session the config update dropped that were never
 * sent for revocation (they changed, or their other alias left, meanwhile).
 */
export async function revokeLeftovers(
  out: Reporter,
  current: RevocationState,
  dropped: OAuthSession,
  where: { oauthHost?: string; sessionKey: string } & RevokeSettings,
): Promise<void> {
  const leftover: OAuthSession = {
    accessToken: current.attempted.has(dropped.accessToken ?? "") ? undefined : dropped.accessToken,
    refreshToken: current.attempted.has(dropped.refreshToken ?? "")
      ? undefined
      : dropped.refreshToken,
  };
  if (!leftover.accessToken && !leftover.refreshToken) return;
  const host = revocationHost(where.oauthHost, where.sessionKey, where.fallbackHost);
  await revokeInto(out, current, leftover, host, where.timeoutMs);
}

async function revokeInto(
  out: Reporter,
  current: RevocationState,
  session: OAuthSession,
  host: string,
  timeoutMs: number,
): Promise<void> {
  const tokens = { access: session.accessToken, refresh: session.refreshToken };
  out.verbose("oauth", "revokeStart", `Revoking OAuth tokens at ${host}`, { host });
  const spinner = out.spinner("Revoking OAuth tokens");
  const started = performance.now();
  const results = await revokeTokenPair(tokens, { host, timeoutMs });
  spinner.stop();
  const elapsedMs = Math.round(performance.now() - started);

  for (const kind of ["access", "refresh"] as const) {
    const result = results[kind];
    const token = tokens[kind];
    if (!result || !token) continue;
    current.attempted.add(token);
    current.result[kind] = result;
    if (result.status === "failed") {
      out.warning(
        `Failed to revoke ${kind} token (${result.reason}); it may remain valid until its natural expiry.`,
      );
    }
    out.verbose("oauth", "revokeResult", `${kind} token: ${result.status} (${elapsedMs}ms)`, {
      token: kind,
      status: result.status,
    });
  }
}

function state(access: TokenOutcome, refresh: TokenOutcome): RevocationState {
  return { result: { access, refresh }, attempted: new Set() };
}
