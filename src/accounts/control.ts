/**
 * The Control API as a configured account reaches it: the one rule for its host (the
 * flag or variable, else the account's own unless ABLY_ACCESS_TOKEN stands in for its
 * tokens, else the default), the token (`tokens.ts`), and a verification that sorts
 * every way it can fail into what the user can do about it.
 */
import type { AblyConfig, AccountRecord } from "../config/schema.ts";
import { accountsOf } from "../config/accounts.ts";
import {
  ControlApiError,
  type ControlClient,
  controlClient,
  DEFAULT_CONTROL_HOST,
  type Me,
} from "../control/api.ts";
import type { Settings } from "../settings.ts";
import { Cancelled } from "../errors.ts";
import { StoreError, type StoreProblem } from "../credentials/store.ts";
import type { Engine } from "./engine.ts";
import { SessionEnded } from "./errors.ts";
import { accessToken } from "./tokens.ts";

/**
 * Where an account's Control API requests go. A token from ABLY_ACCESS_TOKEN was not
 * minted for the account's own host: never send it there.
 */
export function controlHostFor(
  settings: Pick<Settings, "controlHost">,
  account: AccountRecord | undefined,
  viaVariable: boolean,
): string {
  const stored = viaVariable ? undefined : account?.controlHost;
  return settings.controlHost ?? stored ?? DEFAULT_CONTROL_HOST;
}

/** A client for `alias` (read from `config`, the caller's fresh read), and its host. */
export async function controlFor(
  engine: Engine,
  alias: string,
  config: AblyConfig,
): Promise<{ client: ControlClient; host: string }> {
  const token = await accessToken(engine, alias, config);
  const viaVariable = Boolean(engine.settings.accessToken);
  if (viaVariable) {
    // gh's most reported trap: say it, so a surprising account or a rejection is explained.
    engine.out.note(
      `ABLY_ACCESS_TOKEN is set: it is used instead of account ${alias}'s own tokens.`,
    );
  }
  const host = controlHostFor(engine.settings, accountsOf(config)[alias], viaVariable);
  engine.out.verbose("control", "host", `Using the Control API at ${host}`, { host });
  return { client: clientOf(engine, host, token), host };
}

/** A client for `host` with `token`, bounded by this run's time-out (or `timeoutMs`) and Ctrl-C. */
export function clientOf(
  engine: Engine,
  host: string,
  token: string,
  timeoutMs = engine.settings.controlTimeoutMs,
): ControlClient {
  return controlClient(host, token, {
    timeoutMs,
    signal: engine.signal,
    fetch: engine.fetch,
    skipped: (message) => engine.out.warning(message),
  });
}

/** Why an account could not be verified, sorted by what fixes it. */
export type Unverified =
  & {
    /** The failure's own words. */
    reason: string;
    /** The Control API host, when the request got that far. */
    host?: string;
  }
  & (
    /** Rejected or gone: a new login (or a fixed ABLY_ACCESS_TOKEN) is the fix. */
    | { kind: "token" }
    /** The secret store could not give the tokens: they are fine, the store needs fixing. */
    | { kind: "store"; problem: StoreProblem; fix: string }
    /** Anything else (the network, the server): nothing about the account is wrong. */
    | { kind: "other" }
  );

export type Verification = { kind: "verified"; me: Me; host: string } | Unverified;

/**
 * `GET /me` with the account's token (refreshed first if it must be). Never throws but
 * for Ctrl-C: a verification that fails is a result to report, not an error.
 */
export async function verify(
  engine: Engine,
  alias: string,
  config: AblyConfig,
  cancelled?: string,
): Promise<Verification> {
  let host: string | undefined;
  try {
    const access = await controlFor(engine, alias, config);
    host = access.host;
    return { kind: "verified", me: await access.client.me(), host };
  } catch (error) {
    if (error instanceof Cancelled) throw cancelled ? new Cancelled(undefined, cancelled) : error;
    const reason = error instanceof Error ? error.message : String(error);
    if (isTokenProblem(error)) return { kind: "token", reason, host };
    if (error instanceof StoreError) {
      const fix = error.fix ?? "Check where the tokens are kept and try again";
      // The problem alone: the message says whose tokens and where, and the fix follows it.
      return { kind: "store", problem: error.problem, fix, reason: error.reason ?? reason, host };
    }
    return { kind: "other", reason, host };
  }
}

/** Whether a failure is the token's (rejected or gone), so that logging in again is the fix. */
export function isTokenProblem(error: unknown): boolean {
  return (error instanceof ControlApiError &&
    (error.statusCode === 401 || error.statusCode === 403)) || error instanceof SessionEnded;
}
