/**
 * Revoking the OAuth sessions a command drops (each session once, all in
 * parallel, at the server that minted it) and describing per account what
 * happened. Logout and login both revoke through here.
 */
import type { Context } from "../../context.ts";
import type { Credentials } from "../../config/accounts.ts";
import { type RevokeResult, revokeTokenPair } from "../../oauth/revoke.ts";

export type TokenOutcome =
  | RevokeResult
  | { status: "skipped"; reason: "shared-session"; sharedWith: string[] }
  | { status: "skipped"; reason: "legacy-token" | "no-session" };

/** What happened to each token of one account; the JSON result's `revocation`. */
export interface Revocation {
  access: TokenOutcome;
  refresh: TokenOutcome;
}

/** One session to revoke. */
export interface SessionJob {
  sessionKey: string;
  /** The issuer: the only server its tokens may go to. */
  host: string;
  tokens: { accessToken?: string; refreshToken?: string };
  /** Whose tokens, in warnings: ` of acme` when several accounts are revoked at once. */
  whose: string;
}

type Kind = "access" | "refresh";
/** What was answered for each token kind, per session key. */
export type Attempts = Map<string, Partial<Record<Kind, RevokeResult>>>;

/** Revokes every job's tokens in parallel (one round trip), warning about each failure. */
export async function revokeSessions(ctx: Context, jobs: SessionJob[]): Promise<Attempts> {
  const attempts: Attempts = new Map();
  if (jobs.length === 0) return attempts;
  const { out } = ctx;
  const spinner = out.spinner("Revoking OAuth tokens");
  const started = performance.now();
  const results = await Promise.all(jobs.map((job) => {
    out.verbose("oauth", "revokeStart", `Revoking OAuth tokens at ${job.host}`, { host: job.host });
    return revokeTokenPair(
      { access: job.tokens.accessToken, refresh: job.tokens.refreshToken },
      {
        host: job.host,
        timeoutMs: ctx.settings.oauthTimeoutMs,
        signal: ctx.signal,
        fetch: ctx.fetch,
      },
    ).then((result) => ({ job, result }));
  }));
  spinner.stop();
  const elapsedMs = Math.round(performance.now() - started);

  for (const { job, result } of results) {
    attempts.set(job.sessionKey, result);
    for (const kind of ["access", "refresh"] as const) {
      const outcome = result[kind];
      if (!outcome) continue;
      if (outcome.status === "failed") {
        out.warning(
          `Failed to revoke ${kind} token${job.whose} (${outcome.reason}); it may remain valid until its natural expiry.`,
        );
      }
      out.verbose("oauth", "revokeResult", `${kind} token: ${outcome.status} (${elapsedMs}ms)`, {
        token: kind,
        status: outcome.status,
      });
    }
  }
  return attempts;
}

/** What happened to one account's tokens, given its credentials before the logout. */
export function describeRevocation(
  credentials: Credentials,
  dropped: boolean,
  attempts: Attempts,
): Revocation {
  if (credentials.kind === "legacy") {
    const reason = credentials.hasToken ? "legacy-token" : "no-session";
    return { access: { status: "skipped", reason }, refresh: { status: "skipped", reason } };
  }
  if (credentials.kind === "no-session") {
    const skipped = { status: "skipped", reason: "no-session" } as const;
    return { access: skipped, refresh: skipped };
  }
  if (!dropped) {
    const shared = {
      status: "skipped",
      reason: "shared-session",
      sharedWith: credentials.sharedWith,
    } as const;
    return { access: shared, refresh: shared };
  }
  const sent = attempts.get(credentials.sessionKey);
  const missing = { status: "skipped", reason: "no-session" } as const;
  return { access: sent?.access ?? missing, refresh: sent?.refresh ?? missing };
}
