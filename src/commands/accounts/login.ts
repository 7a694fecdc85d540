/**
 * `ably accounts login` (and `ably login`): OAuth device authorization, or an
 * existing access token; then pick the account, alias, app and key, store it
 * all in one locked write, and make the account current. Tokens issued for a
 * login that does not get stored (failure, Ctrl-C) are revoked; tokens the
 * login replaces are revoked at their own issuer.
 */
import type { Context } from "../../context.ts";
import { CliError, ExitCode, usageError } from "../../errors.ts";
import { accountsOf } from "../../config/accounts.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { aliasProblem } from "../../config/alias.ts";
import {
  credentialsLocation,
  OFFICIAL_CLI_NOTE,
  setKeychainMark,
} from "../../config/credential-marks.ts";
import { KEYCHAIN_SERVICE } from "../../credentials/keychain.ts";
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
import type { TokenSet } from "../../oauth/tokens.ts";
import {
  type ControlClient,
  controlClient,
  DEFAULT_CONTROL_HOST,
  type Me,
} from "../../control/api.ts";
import { INTERRUPTED } from "../../prompt/prompter.ts";
import { authorizeDevice } from "./device-authorization.ts";
import { chooseAlias, chooseApp, chooseKey, chooseRemoteAccount } from "./login-choices.ts";
import { revokeSessions } from "./revocation.ts";

export type LoginOptions = {
  alias?: string;
  browser?: boolean;
  token?: string | true;
  force?: boolean;
  endpoint?: string;
  keychain?: boolean;
};

type Store = (
  config: AblyConfig,
  alias: string,
  me: Me,
  account: { id: string; name: string },
) => ReplacedTokens[];

export async function run(ctx: Context, options: LoginOptions): Promise<number> {
  // Never echo the value: it may be a token pasted in the wrong place.
  if (options.alias !== undefined && aliasProblem(options.alias)) {
    throw usageError(`${aliasProblem(options.alias)}.`);
  }
  // A config we could not save into must be found before the user authorizes anything;
  // so must a keychain we could not store the tokens in.
  await ctx.store.preflight();
  const keychain = options.keychain === true || ctx.settings.credentialStore === "keychain";
  if (keychain) await ctx.store.checkKeychain();
  const { settings } = ctx;
  const controlHost = settings.controlHost ?? DEFAULT_CONTROL_HOST;
  const clientFor = (token: string) =>
    controlClient(controlHost, token, {
      timeoutMs: settings.controlTimeoutMs,
      signal: ctx.signal,
      fetch: ctx.fetch,
    });

  if (options.token !== undefined) {
    const token = options.token === true ? settings.accessToken : options.token;
    if (!token) throw usageError("--token needs a token, or ABLY_ACCESS_TOKEN set.");
    ctx.out.protect([token]);
    const code = await finishLogin(
      ctx,
      options,
      clientFor(token),
      "token",
      (config, alias, me, account) =>
        storeTokenLogin(config, alias, token, {
          accountId: account.id,
          accountName: account.name,
          userEmail: me.user.email,
          controlHost: settings.controlHost,
        }),
      keychain,
    );
    if (code === ExitCode.Interrupted) ctx.out.warning("Login cancelled; nothing was stored.");
    return code;
  }

  const oauthHost = settings.oauthHost ?? DEFAULT_OAUTH_HOST;
  const tokens = await authorizeDevice(ctx, oauthHost, options.browser !== false);
  if (typeof tokens === "number") return tokens;
  ctx.out.protect([tokens.accessToken, tokens.refreshToken]);
  const progress = { stored: false };
  let code: number | undefined;
  try {
    code = await finishLogin(
      ctx,
      options,
      clientFor(tokens.accessToken),
      "oauth",
      (config, alias, me, account) => {
        return storeOAuthLogin(config, alias, tokens, {
          accountId: account.id,
          accountName: account.name,
          userEmail: me.user.email,
          oauthHost: settings.oauthHost,
          controlHost: settings.controlHost,
        });
      },
      keychain,
      progress,
    ).catch((error) => {
      // Ctrl-C during a request surfaces as that request failing.
      if (progress.stored || !ctx.signal.aborted) throw error;
      return ExitCode.Interrupted;
    });
    return code;
  } finally {
    // Until the write has succeeded, giving up (or a write that failed) must revoke the
    // tokens. The write itself is never cancelled, and tokens it stored are never revoked.
    if (!progress.stored) {
      const failure = await revokeIssued(ctx, oauthHost, tokens);
      if (code === ExitCode.Interrupted) {
        ctx.out.warning(
          failure === undefined
            ? "Login cancelled; the issued tokens were revoked and nothing was stored."
            : `Login cancelled; nothing was stored, but the issued tokens could not be revoked (${failure}) and stay valid until they expire.`,
        );
      } else if (failure !== undefined) {
        ctx.out.warning(
          `The tokens issued for this login could not be revoked (${failure}); they stay valid until they expire.`,
        );
      }
    }
  }
}

/** Who is this, which account, which alias, app and key; then one locked write. */
async function finishLogin(
  ctx: Context,
  options: LoginOptions,
  client: ControlClient,
  authMethod: "oauth" | "token",
  store: Store,
  keychain: boolean,
  progress = { stored: false },
): Promise<number> {
  const { out } = ctx;
  const [me, remote] = await Promise.all([client.me(), client.accounts()]);
  const account = await chooseRemoteAccount(ctx, me, remote);
  if (account === INTERRUPTED) return ExitCode.Interrupted;
  out.print();
  out.print(`Using account ${out.style.cyan(account.name)} (${account.id}).`);

  const existing = (await ctx.store.read()) ?? {};
  const alias = await chooseAlias(ctx, existing, account, options.alias, Boolean(options.force));
  if (alias === INTERRUPTED) return ExitCode.Interrupted;

  const app = await chooseApp(ctx, client, account.id);
  if (app === INTERRUPTED) return ExitCode.Interrupted;
  const key = app ? await chooseKey(ctx, client, app.app) : undefined;
  if (key === INTERRUPTED) return ExitCode.Interrupted;
  if (ctx.signal.aborted) return ExitCode.Interrupted;

  // Not cancellable: once the write has begun it is finished, and what it stores is kept.
  // With --keychain the store puts the tokens in the OS keychain and keeps them out of the file.
  const holder = accountsOf(existing)[alias]?.accountId;
  const email = me.user.email.toLowerCase();
  // The tokens this login may replace: the alias's own, and a session of the same user.
  const sharing = Object.entries(accountsOf(existing))
    .filter(([, a]) => a.userEmail?.toLowerCase() === email).map(([other]) => other);
  const { replaced, credentials } = await ctx.store.update((config) => {
    const now = accountsOf(config)[alias]?.accountId;
    if (now !== undefined && now !== holder && now !== account.id) {
      // Another ably process stored a different account under this alias meanwhile.
      throw new CliError(
        `Alias "${alias}" was just taken by another ably process (account ${now}); nothing was stored. Log in again to choose an alias.`,
        { component: "accountLogin" },
      );
    }
    const replaced = store(config, alias, me, account);
    if (keychain) setKeychainMark(config, alias, true);
    setCurrentAccount(config, alias);
    if (options.endpoint) setEndpoint(config, alias, options.endpoint);
    if (app) storeAppSelection(config, alias, app.app, key?.key);
    return { changed: true, value: { replaced, credentials: credentialsLocation(config, alias) } };
  }, { secretsFor: [alias, ...sharing] });
  progress.stored = true;
  await revokeSessions(
    ctx,
    replaced.map(({ session, host }, index) => ({
      sessionKey: `replaced-${index}`,
      host,
      tokens: session,
      whose: " replaced by this login",
    })),
  );

  out.result({
    account: {
      alias,
      authMethod,
      credentials,
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
  if (credentials === "keychain") {
    out.note(
      `Tokens stored in the OS keychain (service ${KEYCHAIN_SERVICE}), not in the config file; ${OFFICIAL_CLI_NOTE} (ably accounts keychain ${alias} --to-file).`,
    );
  }
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

/** Revokes tokens issued for a login that was not stored; the reason if one failed. */
async function revokeIssued(
  ctx: Context,
  host: string,
  tokens: TokenSet,
): Promise<string | undefined> {
  // Not the Ctrl-C signal: it may already be aborted, and these tokens must still go.
  const result = await revokeTokenPair(
    { access: tokens.accessToken, refresh: tokens.refreshToken },
    { host, timeoutMs: ctx.settings.oauthTimeoutMs, fetch: ctx.fetch },
  );
  const failed = [result.access, result.refresh].find((r) => r?.status === "failed");
  return failed?.status === "failed" ? failed.reason : undefined;
}
