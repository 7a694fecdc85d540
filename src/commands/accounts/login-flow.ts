/**
 * What `ably accounts login` does: OAuth device authorization (or a pasted
 * access token), then pick the account, alias, app and key, store it all in one
 * locked write, and make the account current. Loaded only when login runs.
 */
import type { Env } from "../../cli.ts";
import { CliError, ExitCode } from "../../errors.ts";
import type { Reporter } from "../../output/reporter.ts";
import { controlTimeoutMs, lockTimeoutMs, oauthTimeoutMs } from "../settings.ts";
import { configLocation } from "../../config/location.ts";
import { readConfig, updateConfig } from "../../config/store.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { aliasProblem } from "../../config/alias.ts";
import {
  type ReplacedTokens,
  setCurrentAccount,
  setEndpoint,
  storeAppSelection,
  storeOAuthLogin,
  storeTokenLogin,
} from "../../config/login-records.ts";
import { DEFAULT_OAUTH_HOST } from "../../oauth/endpoint.ts";
import { revokeTokenPair } from "../../oauth/revoke.ts";
import {
  type ControlClient,
  controlClient,
  DEFAULT_CONTROL_HOST,
  type Me,
} from "../../control/api.ts";
import { INTERRUPTED } from "../../prompt/choose.ts";
import { authorizeDevice } from "./device-authorization.ts";
import { chooseAccount, chooseAlias, chooseApp, chooseKey } from "./login-choices.ts";

export interface LoginFlags {
  alias?: string;
  browser?: boolean;
  token?: string | true;
  endpoint?: string;
  oauthHost?: string;
  controlHost?: string;
}

export async function login(out: Reporter, env: Env, flags: LoginFlags): Promise<number> {
  if (flags.alias !== undefined) {
    const problem = aliasProblem(flags.alias);
    if (problem) throw new CliError(`${problem}: "${flags.alias}".`, { exitCode: ExitCode.Usage });
  }
  // A config we could not save into must be found before the user authorizes anything.
  await readConfig(configLocation(env).file);
  const controlHost = flags.controlHost ?? DEFAULT_CONTROL_HOST;
  if (flags.token !== undefined) {
    const token = flags.token === true ? env("ABLY_ACCESS_TOKEN") : flags.token;
    if (!token) {
      throw new CliError("--token needs a token, or ABLY_ACCESS_TOKEN set.", {
        exitCode: ExitCode.Usage,
      });
    }
    const client = controlClient(controlHost, token, { timeoutMs: controlTimeoutMs(env) });
    return await finishLogin(
      out,
      env,
      flags,
      client,
      (config, alias, me) =>
        storeTokenLogin(config, alias, token, {
          accountId: me.account.id,
          accountName: me.account.name,
          userEmail: me.user.email,
          controlHost: flags.controlHost,
        }),
      "token",
    );
  }

  const oauthHost = flags.oauthHost ?? DEFAULT_OAUTH_HOST;
  const tokens = await authorizeDevice(out, env, flags, oauthHost);
  if (typeof tokens === "number") return tokens;
  const client = controlClient(controlHost, tokens.accessToken, {
    timeoutMs: controlTimeoutMs(env),
  });
  // Until the tokens are in the file, giving up (error, cancel, Ctrl-C) must revoke them.
  // Once the write has begun, Ctrl-C no longer cancels: the write finishes and is kept.
  const progress: LoginProgress = { cancelled: false, committing: false, stored: false };
  const revokeIssued = async () => {
    const result = await revokeTokenPair(
      { access: tokens.accessToken, refresh: tokens.refreshToken },
      { host: oauthHost, timeoutMs: oauthTimeoutMs(env) },
    );
    return result.access?.status === "revoked" && result.refresh?.status === "revoked";
  };
  const onSigint = async () => {
    if (progress.committing) return;
    progress.cancelled = true;
    const revoked = await revokeIssued();
    out.warning(
      revoked
        ? "Login cancelled; the issued tokens were revoked and nothing was stored."
        : "Login cancelled; nothing was stored, but the issued tokens could not be revoked and stay valid until they expire.",
    );
    Deno.exit(ExitCode.Interrupted);
  };
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    return await finishLogin(
      out,
      env,
      flags,
      client,
      (config, alias, me, accountId, name) =>
        storeOAuthLogin(config, alias, tokens, {
          accountId,
          accountName: name,
          userEmail: me.user.email,
          oauthHost: flags.oauthHost,
          controlHost: flags.controlHost,
        }),
      "oauth",
      progress,
    );
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
    if (!progress.stored && !progress.cancelled) await revokeIssued();
  }
}

/** Where a login is, for the Ctrl-C handler: before the write, cancelling revokes the tokens. */
interface LoginProgress {
  cancelled: boolean;
  committing: boolean;
  stored: boolean;
}

type Store = (
  config: AblyConfig,
  alias: string,
  me: Me,
  accountId: string,
  accountName: string,
) => ReplacedTokens[];

/** Who is this, which account, which alias, app and key; then one locked write. */
async function finishLogin(
  out: Reporter,
  env: Env,
  flags: LoginFlags,
  client: ControlClient,
  store: Store,
  authMethod: "oauth" | "token",
  progress: LoginProgress = { cancelled: false, committing: false, stored: false },
): Promise<number> {
  const [me, remote] = await Promise.all([client.me(), client.accounts()]);
  const account = await chooseAccount(out, me, remote);
  if (account === INTERRUPTED) return cancelled(out);
  out.print();
  out.print(`Using account ${out.style.cyan(account.name)} (${account.id}).`);

  const location = configLocation(env);
  const existing = (await readConfig(location.file)) ?? {};
  const alias = flags.alias ?? await chooseAlias(out, existing, account);
  if (alias === INTERRUPTED) return cancelled(out);

  const app = await chooseApp(out, client, account.id);
  if (app === INTERRUPTED) return cancelled(out);
  const key = app ? await chooseKey(out, client, app.app) : undefined;
  if (key === INTERRUPTED) return cancelled(out);

  if (progress.cancelled) return ExitCode.Interrupted;
  progress.committing = true;
  const replaced = await updateConfig(location, (config) => {
    const replaced = store(config, alias, me, account.id, account.name);
    setCurrentAccount(config, alias);
    if (flags.endpoint) setEndpoint(config, alias, flags.endpoint);
    if (app) storeAppSelection(config, alias, app.app, key?.key);
    return { changed: true, value: replaced };
  }, { lockTimeoutMs: lockTimeoutMs(env) });
  progress.stored = true;
  await revokeReplaced(out, replaced, oauthTimeoutMs(env));

  out.result({
    account: {
      alias,
      authMethod: authMethod === "oauth" ? "oauth" : "token",
      id: account.id,
      name: account.name,
      user: { email: me.user.email },
      ...(app
        ? { app: { autoSelected: app.autoSelected, id: app.app.id, name: app.app.name } }
        : {}),
      ...(app && key
        ? {
          key: {
            autoSelected: key.autoSelected,
            id: key.key.id,
            name: key.key.name || "Unnamed key",
          },
        }
        : {}),
    },
  });
  if (alias !== "default") out.print(`Account stored with alias: ${alias}`);
  out.print(`Account ${out.style.cyan(alias)} is now the current account`);
  out.success(`Successfully logged in to ${account.name} (account ID: ${account.id}).`);
  out.note(
    authMethod === "oauth"
      ? "Authenticated via OAuth (token auto-refreshes)."
      : "Authenticated with an access token (it does not auto-refresh).",
  );
  if (app) {
    const how = app.autoSelected ? "Automatically selected" : "Selected";
    out.success(`${how} app: ${app.app.name} (${app.app.id}).`);
  }
  if (key) {
    const how = key.autoSelected ? "Automatically selected" : "Selected";
    out.success(`${how} API key: ${key.key.name || "Unnamed key"} (${key.key.id}).`);
  }
  return ExitCode.Success;
}

/** The tokens the new login superseded are still valid: revoke them at their issuer. */
async function revokeReplaced(
  out: Reporter,
  replaced: ReplacedTokens[],
  timeoutMs: number,
): Promise<void> {
  const results = await Promise.all(
    replaced.map(({ session, host }) =>
      revokeTokenPair({ access: session.accessToken, refresh: session.refreshToken }, {
        host,
        timeoutMs,
      })
    ),
  );
  for (const result of results) {
    for (const kind of ["access", "refresh"] as const) {
      const outcome = result[kind];
      if (outcome?.status === "failed") {
        out.warning(
          `Failed to revoke the previous ${kind} token (${outcome.reason}); it may remain valid until its natural expiry.`,
        );
      } else if (outcome) {
        out.verbose("oauth", "revokeReplaced", `Previous ${kind} token revoked`);
      }
    }
  }
}

function cancelled(out: Reporter): number {
  out.warning("Login cancelled; nothing was stored.");
  return ExitCode.Interrupted;
}
