/**
 * Which OAuth sessions a logout drops, revoking their tokens (each session
 * once, all in parallel) at the server that minted them, and describing per
 * account what happened. Tokens only ever go to their issuer.
 */
import type { Credentials } from "../../config/accounts.ts";
import type { OAuthSession } from "../../config/schema.ts";
import { type RevokeResult, revokeTokenPair } from "../../oauth/revoke.ts";
import type { Reporter } from "../../output/reporter.ts";

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
  host: string;
  session: OAuthSession;
  /** Who the session belonged to, for messages when several are revoked at once. */
  aliases: string[];
}

type Kind = "access" | "refresh";
/** The token sent for each kind, and the answer. */
export type SessionAttempts = Partial<Record<Kind, { token: string; result: RevokeResult }>>;
/** Per session key. */
export type Attempts = Map<string, SessionAttempts>;

/** Revokes every job's tokens in parallel (one round trip), recording into `attempts`. */
export async function revokeSessions(
  out: Reporter,
  jobs: SessionJob[],
  timeoutMs: number,
  attempts: Attempts,
): Promise<void> {
  if (jobs.length === 0) return;
  const spinner = out.spinner("Revoking OAuth tokens");
  const started = performance.now();
  const results = await Promise.all(jobs.map((job) => {
    out.verbose("oauth", "revokeStart", `Revoking OAuth tokens at ${job.host}`, { host: job.host });
    const tokens = { access: job.session.accessToken, refresh: job.session.refreshToken };
    return revokeTokenPair(tokens, { host: job.host, timeoutMs }).then((r) => ({ job, tokens, r }));
  }));
  spinner.stop();
  const elapsedMs = Math.round(performance.now() - started);

  for (const { job, tokens, r } of results) {
    const entry = attempts.get(job.sessionKey) ?? {};
    attempts.set(job.sessionKey, entry);
    for (const kind of ["access", "refresh"] as const) {
      const token = tokens[kind];
      const result = r[kind];
      if (!token || !result) continue;
      entry[kind] = { token, result };
      if (result.status === "failed") {
        const whose = jobs.length > 1 ? ` of ${job.aliases.join(", ")}` : "";
        out.warning(
          `Failed to revoke ${kind} token${whose} (${result.reason}); it may remain valid until its natural expiry.`,
        );
      }
      out.verbose("oauth", "revokeResult", `${kind} token: ${result.status} (${elapsedMs}ms)`, {
        token: kind,
        status: result.status,
      });
    }
  }
}

/** The tokens of `session` not yet sent for revocation (they changed since, or were never tried). */
export function unattempted(session: OAuthSession, sent: SessionAttempts | undefined) {
  return {
    accessToken: sent?.access?.token === session.accessToken ? undefined : session.accessToken,
    refreshToken: sent?.refresh?.token === session.refreshToken ? undefined : session.refreshToken,
  };
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
  return { access: sent?.access?.result ?? missing, refresh: sent?.refresh?.result ?? missing };
}
