/** What commands that call the Control API need: the host and a fresh token for an account. */
import type { Env } from "../cli.ts";
import type { ConfigLocation } from "../config/location.ts";
import type { AblyConfig, AccountRecord } from "../config/schema.ts";
import { type ControlClient, controlClient, DEFAULT_CONTROL_HOST } from "../control/api.ts";
import type { Reporter } from "../output/reporter.ts";
import { accessTokenFor } from "./access-token.ts";
import { controlTimeoutMs, lockTimeoutMs, oauthTimeoutMs } from "./settings.ts";

export interface HostFlags {
  oauthHost?: string;
  controlHost?: string;
}

/** A Control API client for `alias`: flag/env host, else the account's own, else the default. */
export async function controlClientFor(
  out: Reporter,
  env: Env,
  location: ConfigLocation,
  alias: string,
  account: AccountRecord,
  flags: HostFlags,
  config?: AblyConfig,
): Promise<ControlClient> {
  const token = await accessTokenFor(
    {
      location,
      env,
      out,
      oauthHost: flags.oauthHost,
      oauthTimeoutMs: oauthTimeoutMs(env),
      lockTimeoutMs: lockTimeoutMs(env),
    },
    alias,
    config,
  );
  // A token from ABLY_ACCESS_TOKEN was not minted for the account's own host: never send it there.
  const storedHost = env("ABLY_ACCESS_TOKEN") ? undefined : account.controlHost;
  const host = flags.controlHost ?? storedHost ?? DEFAULT_CONTROL_HOST;
  out.verbose("control", "host", `Using the Control API at ${host}`, { host });
  return controlClient(host, token, { timeoutMs: controlTimeoutMs(env) });
}
