/**
 * Revoking the OAuth tokens an update removes (each session once, all in
 * parallel, at the server that minted it), saying which failed, and describing
 * per account what happened. Every update revokes through here (the
 * transaction works out what it removes); logout describes the outcome per
 * account.
 */
import type { Credentials } from "../config/accounts.ts";
import type { SavedNothing } from "../config/store.ts";
import type { RemovedSession } from "../config/removed.ts";
import { CliError } from "../errors.ts";
import type { Reporter } from "../output/reporter.ts";
import { formatDuration } from "../duration.ts";
import type { RevokeResult } from "../oauth/revoke.ts";

export type TokenOutcome =
  | RevokeResult
  | { status: "skipped"; reason: "shared-session"; sharedWith: string[] }
  | { status: "skipped"; reason: "access-token" | "no-session" }
  | { status: "skipped"; reason: "store-unreadable"; store?: string; detail: string };

/**
 * Why an account logged in with an access token (`login --token`, or a pre-OAuth login) is not
 * revoked, and where it can be: said by logout and prune alike.
 */
export const ACCESS_TOKEN_NOT_REVOKED =
  "an access token given at login cannot be revoked by the CLI; revoke it in the Ably dashboard (Access Tokens) if it is no longer needed";

/** What happened to each token of one account; the JSON result's `revocation`. */
export interface Revocation {
  access: TokenOutcome;
  refresh: TokenOutcome;
}

type Kind = "access" | "refresh";
/** What was answered for each token kind, per session key. */
export type Attempts = Map<string, Partial<Record<Kind, RevokeResult>>>;

/** What revoking needs from the run: where to report, how long to wait, Ctrl-C, fetch. */
export interface RevocationDeps {
  out: Reporter;
  settings: { oauthTimeoutMs: number };
  signal: AbortSignal;
  fetch: typeof fetch;
}

/** Revokes the tokens an update removes, each session at its issuer, all in parallel. */
export async function revokeRemoved(
  deps: RevocationDeps,
  removed: RemovedSession[],
): Promise<Attempts> {
  const attempts: Attempts = new Map();
  const jobs = removed.filter((session) => session.accessToken || session.refreshToken);
  if (jobs.length === 0) return attempts;
  const { out } = deps;
  // The HTTP client only when there is something to revoke: most logouts of a legacy
  // account, and most updates, have nothing.
  const { revokeTokenPair } = await import("../oauth/revoke.ts");
  const spinner = out.spinner("Revoking OAuth tokens");
  const started = performance.now();
  const results = await Promise.all(jobs.map((job) => {
    out.verbose("oauth", "revokeStart", `Revoking OAuth tokens at ${job.host}`, { host: job.host });
    return revokeTokenPair(
      { access: job.accessToken, refresh: job.refreshToken },
      {
        host: job.host,
        timeoutMs: deps.settings.oauthTimeoutMs,
        signal: deps.signal,
        fetch: deps.fetch,
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
      out.verbose(
        "oauth",
        "revokeResult",
        `${kind} token: ${outcome.status} (${formatDuration(elapsedMs)})`,
        { token: kind, status: outcome.status },
      );
    }
  }
  return attempts;
}

/**
 * One warning per token whose revocation failed: it may stay valid. `whose` names them;
 * by default ` of <aliases>` when several sessions went at once.
 */
export function warnUnrevokedTokens(
  out: Reporter,
  removed: RemovedSession[],
  attempts: Attempts,
  whose?: string,
): void {
  const sent = removed.filter((session) => attempts.has(session.sessionKey));
  for (const session of sent) {
    const of = whose ?? (sent.length > 1 ? ` of ${session.aliases.join(", ")}` : "");
    const outcomes = attempts.get(session.sessionKey)!;
    const failed = (["access", "refresh"] as const).flatMap((kind) => {
      const outcome = outcomes[kind];
      return outcome?.status === "failed" ? [[kind, outcome.reason] as const] : [];
    });
    if (failed.length === 0) continue;
    // One line per session: both tokens usually fail for the same reason.
    const reasons = [...new Set(failed.map(([, reason]) => reason))].join("; ");
    const both = failed.length === 2;
    out.warning(
      `Could not revoke the ${
        both ? "access and refresh tokens" : `${failed[0][0]} token`
      }${of} at ${session.host} (${reasons}): ${both ? "they stay" : "it stays"} valid until ${
        both ? "they expire" : "it expires"
      }; end ${
        both ? "them" : "it"
      } sooner by revoking the Ably CLI's access in the Ably dashboard.`,
    );
  }
}

/** What happened to one account's tokens, given its credentials before the logout. */
export function describeRevocation(
  credentials: Credentials,
  dropped: boolean,
  attempts: Attempts,
  unreadable?: { reason: string; store?: string },
): Revocation {
  if (unreadable !== undefined) {
    const skipped = {
      status: "skipped",
      reason: "store-unreadable",
      ...(unreadable.store ? { store: unreadable.store } : {}),
      detail: unreadable.reason,
    } as const;
    return { access: skipped, refresh: skipped };
  }
  if (credentials.kind === "legacy") {
    const reason = credentials.hasToken ? "access-token" : "no-session";
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

/** The file could not be replaced after tokens were revoked: the user must know which are dead. */
export function revokedButUnsaved(
  error: SavedNothing,
  removed: RemovedSession[],
  attempts: Attempts,
): CliError {
  const several = removed.length > 1;
  const dead = removed.flatMap((session) =>
    (["access", "refresh"] as const)
      .filter((kind) => attempts.get(session.sessionKey)?.[kind]?.status === "revoked")
      .map((kind) => `${kind} token${several ? ` of ${session.aliases.join(", ")}` : ""}`)
  );
  return new CliError(
    `${error.message} The config was not changed, but these tokens were already revoked: ${
      dead.join(", ") || "none"
    }. The accounts that used them are still configured with them; fix the problem and run the command again.`,
    { component: "config", cause: error.failure },
  );
}
