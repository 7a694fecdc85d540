/**
 * `ably accounts login` (and `ably login`): OAuth device authorization, or an
 * existing access token; then the choices (account, alias, app, key), one
 * locked write of the login as planned, and the report. Tokens issued for a
 * login that does not get stored (a failure, Ctrl-C, Esc or Ctrl-D anywhere)
 * are revoked on the way out; tokens the login replaces are revoked by the
 * store, at their own issuer, before the new file replaces the old.
 */
import type { Context } from "../../context.ts";
import { tokenProblem } from "../../input.ts";
import { Cancelled, CliError, usageError } from "../../errors.ts";
import {
  accountsOf,
  setCurrentAccount,
  setEndpoint,
  storeAppSelection,
  storeOAuthLogin,
  storeTokenLogin,
} from "../../config/accounts.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { aliasProblem } from "../../config/alias.ts";
import {
  credentialsLocation,
  isMarked,
  keychainTouchableBy,
  OFFICIAL_CLI_NOTE,
  setKeychainMark,
} from "../../config/credential-marks.ts";
import { aliasesUsing, sessionKeyFor, sessionOf } from "../../config/sessions.ts";
import { KEYCHAIN_SERVICE } from "../../credentials/keychain.ts";
import { DEFAULT_OAUTH_HOST } from "../../oauth/endpoint.ts";
import { revokeTokenPair } from "../../oauth/revoke.ts";
import type { TokenSet } from "../../oauth/tokens.ts";
import {
  type App,
  type ControlClient,
  controlClient,
  DEFAULT_CONTROL_HOST,
  type Key,
  type Me,
} from "../../control/api.ts";
import type { LoginOptions } from "./specs.ts";
import { authorizeDevice } from "./device-authorization.ts";
import {
  chooseAlias,
  chooseApp,
  chooseKey,
  chooseRemoteAccount,
  type RemoteAccount,
} from "./login-choices.ts";

const COMPONENT = "accountLogin";

/** What a login stores: the credentials, and what the user chose. */
interface LoginPlan {
  credentials: { kind: "oauth"; tokens: TokenSet } | { kind: "token"; token: string };
  me: Me;
  account: RemoteAccount;
  alias: string;
  /** The account stored under the alias when it was chosen, if any. */
  holder?: string;
  app?: { app: App; autoSelected: boolean };
  key?: { key: Key; autoSelected: boolean };
  keychain: boolean;
  /** Other aliases sharing the session whose tokens move into the keychain with this login. */
  movedWith: string[];
}

/** The user said no to a question that has no other way forward: stop, store nothing (exit 0). */
class Declined extends Error {
  constructor() {
    super("declined");
    this.name = "Declined";
  }
}

export async function run(ctx: Context, options: LoginOptions): Promise<void> {
  // Never echo the value: it may be a token pasted in the wrong place.
  if (options.alias !== undefined && aliasProblem(options.alias)) {
    throw usageError(`${aliasProblem(options.alias)}.`);
  }
  // A config we could not save into must be found before the user authorizes anything;
  // so must a keychain we could not store the tokens in, or read the tokens it replaces from.
  const config = (await ctx.store.preflight()) ?? {};
  const keychain = options.keychain === true || ctx.settings.credentialStore === "keychain";
  if (keychain) await ctx.store.checkKeychain({ loginAsked: true });
  else {
    // Without --keychain a login still reads or writes the keychain when it replaces a
    // keychain alias, or shares (or replaces) a keychain session of the same user, known
    // only after authorization. One probe is enough for all of them: every item of this
    // CLI is in one service of one keychain, so a keychain that takes the probe's write
    // and delete is reachable and unlocked for the others too. (A refusal of one item
    // alone, macOS per-item access, still fails at the write: nothing is stored and the
    // issued tokens are revoked.)
    const touched = keychainTouchableBy(config, options.alias);
    if (touched) await ctx.store.checkKeychain({ accounts: touched });
  }

  if (options.token !== undefined) {
    const token = await pastedToken(ctx, options.token);
    ctx.out.protect([token]);
    const plan = await choose(
      ctx,
      options,
      controlFor(ctx, token),
      { kind: "token", token },
      keychain,
    );
    report(ctx, await save(ctx, plan, options));
    return;
  }

  const oauthHost = ctx.settings.oauthHost ?? DEFAULT_OAUTH_HOST;
  const tokens = await authorizeDevice(ctx, oauthHost, options.browser !== false);
  ctx.out.protect([tokens.accessToken, tokens.refreshToken]);
  let stored = false;
  try {
    const plan = await choose(ctx, options, controlFor(ctx, tokens.accessToken), {
      kind: "oauth",
      tokens,
    }, keychain);
    // Not cancellable: once the write has begun it is finished, and what it stores is kept.
    const saved = await save(ctx, plan, options);
    stored = true;
    report(ctx, saved);
  } catch (error) {
    if (stored) throw error;
    // Whatever stopped the login, the issued tokens must not outlive it. A second Ctrl-C
    // waits for this (it is bounded by the OAuth time-out), and the screen says so.
    const failure = await ctx.shield(
      "Revoking the tokens issued for this login first…",
      revokeIssued(ctx, oauthHost, tokens),
    );
    if (error instanceof Declined) {
      ctx.out.warning(
        failure === undefined
          ? "Login cancelled; the issued tokens were revoked and nothing was stored."
          : `Login cancelled; nothing was stored, but the issued tokens could not be revoked (${failure}) and stay valid until they expire.`,
      );
      return;
    }
    if (error instanceof Cancelled) {
      throw new Cancelled(
        undefined,
        failure === undefined
          ? "Login cancelled; the issued tokens were revoked and nothing was stored."
          : `Login cancelled; nothing was stored, but the issued tokens could not be revoked (${failure}) and stay valid until they expire.`,
      );
    }
    if (failure !== undefined) {
      ctx.out.warning(
        `The tokens issued for this login could not be revoked (${failure}); they stay valid until they expire.`,
      );
    }
    throw error;
  }
}

/**
 * `--token VALUE`, `--token -` (the first line of stdin), or ABLY_ACCESS_TOKEN (checked with
 * the settings), or asked; checked before anything is sent.
 */
async function pastedToken(ctx: Context, flag: string | true): Promise<string> {
  const checked = (token: string, from: string) => {
    const problem = tokenProblem(token);
    if (problem) throw usageError(`The token ${from} ${problem}; it was not used.`);
    return token;
  };
  if (flag === "-") {
    const line = (await ctx.prompter.firstLine())?.trim();
    if (!line) throw usageError("--token - reads the token from standard input, which was empty.");
    return checked(line, "read from standard input");
  }
  if (flag !== true) return checked(flag, "given to --token");
  if (ctx.settings.accessToken) return ctx.settings.accessToken;
  if (!ctx.interactive) {
    throw usageError(
      "--token needs a token: --token - (read from standard input), ABLY_ACCESS_TOKEN, or a terminal to paste it on.",
    );
  }
  return checked(await ctx.prompter.secret("Paste your access token (input is hidden):"), "pasted");
}

function controlFor(ctx: Context, token: string): ControlClient {
  const { settings } = ctx;
  return controlClient(settings.controlHost ?? DEFAULT_CONTROL_HOST, token, {
    timeoutMs: settings.controlTimeoutMs,
    signal: ctx.signal,
    fetch: ctx.fetch,
    skipped: (message) => ctx.out.warning(message),
  });
}

/** Who is this, which account, alias, app and key: asked on a terminal, else defaults. */
async function choose(
  ctx: Context,
  options: LoginOptions,
  client: ControlClient,
  credentials: LoginPlan["credentials"],
  keychain: boolean,
): Promise<LoginPlan> {
  const { out } = ctx;
  const spinner = out.spinner("Fetching your account details");
  let me: Me;
  let remote: RemoteAccount[];
  try {
    [me, remote] = await Promise.all([client.me(), client.accounts()]);
  } finally {
    spinner.stop();
  }
  const account = await chooseRemoteAccount(ctx, me, remote);
  out.print();
  out.print(`Using account ${out.style.cyan(account.name)} (${account.id}).`);
  const existing = (await ctx.store.read()) ?? {};
  const alias = await chooseAlias(ctx, existing, account, options.alias, Boolean(options.force));
  const movedWith = keychain && credentials.kind === "oauth"
    ? movingWith(existing, alias, me.user.email, ctx.settings.oauthHost)
    : [];
  if (movedWith.length) await confirmMove(ctx, me.user.email, movedWith);
  const app = await chooseApp(ctx, client, account.id);
  const key = app ? await chooseKey(ctx, client, app.app) : undefined;
  const holder = accountsOf(existing)[alias]?.accountId;
  return { credentials, me, account, alias, holder, app, key, keychain, movedWith };
}

/**
 * The other aliases whose file-kept tokens a keychain login moves into the keychain: the
 * same user at the same issuer is one OAuth session (one key), so its tokens move for all.
 */
function movingWith(
  config: AblyConfig,
  alias: string,
  email: string,
  oauthHost: string | undefined,
): string[] {
  const key = sessionKeyFor(alias, email, oauthHost ?? DEFAULT_OAUTH_HOST);
  const session = sessionOf(config, key);
  if (!session || isMarked(session)) return [];
  return aliasesUsing(config, key).filter((other) => other !== alias);
}

/** Said before anything is stored; asked on a terminal ("no" stops the login). */
async function confirmMove(ctx: Context, email: string, others: string[]): Promise<void> {
  const names = others.map((other) => `"${other}"`).join(", ");
  ctx.out.note(
    `The OAuth session of ${email} is shared with ${names}: with --keychain its tokens move into the OS keychain for ${
      others.length === 1 ? "that account" : "those accounts"
    } too (${OFFICIAL_CLI_NOTE}).`,
  );
  if (!ctx.interactive) return;
  if (!(await ctx.prompter.confirm(`Move the tokens of ${names} into the OS keychain too?`))) {
    throw new Declined();
  }
}

/**
 * One locked write of the plan; the store revokes the tokens it replaces. Returns the plan
 * as stored: where the tokens went (a login joining a keychain session is kept there too)
 * and who moved with it, as the file was under the lock.
 */
async function save(ctx: Context, plan: LoginPlan, options: LoginOptions): Promise<LoginPlan> {
  const { value } = await ctx.store.update((config) => {
    const now = accountsOf(config)[plan.alias]?.accountId;
    if (now !== undefined && now !== plan.holder && now !== plan.account.id) {
      // Another ably process stored a different account under this alias meanwhile.
      throw new CliError(
        `Alias "${plan.alias}" was just taken by another ably process (account ${now}); nothing was stored. Log in again to choose an alias.`,
        { component: COMPONENT },
      );
    }
    const movedWith = plan.keychain && plan.credentials.kind === "oauth"
      ? movingWith(config, plan.alias, plan.me.user.email, ctx.settings.oauthHost)
      : [];
    recordLogin(config, plan, ctx.settings, options.endpoint);
    const keychain = credentialsLocation(config, plan.alias) === "keychain";
    return { changed: true, value: { ...plan, keychain, movedWith } };
  }, { revokedAs: " replaced by this login" });
  return value;
}

/** The login as the config records it. */
function recordLogin(
  config: AblyConfig,
  plan: LoginPlan,
  hosts: { oauthHost?: string; controlHost?: string },
  endpoint: string | undefined,
): void {
  const { alias, account, me, credentials } = plan;
  const info = {
    accountId: account.id,
    accountName: account.name,
    userEmail: me.user.email,
    oauthHost: hosts.oauthHost,
    controlHost: hosts.controlHost,
  };
  if (credentials.kind === "oauth") storeOAuthLogin(config, alias, credentials.tokens, info);
  else storeTokenLogin(config, alias, credentials.token, info);
  if (plan.keychain) setKeychainMark(config, alias, true);
  setCurrentAccount(config, alias);
  if (endpoint) setEndpoint(config, alias, endpoint);
  if (plan.app) storeAppSelection(config, alias, plan.app.app, plan.key?.key);
}

function report(ctx: Context, plan: LoginPlan): void {
  const { out } = ctx;
  const { alias, account, me, app, key } = plan;
  const authMethod = plan.credentials.kind;
  const credentials = plan.keychain ? "keychain" : "file";
  out.result({
    account: {
      alias,
      authMethod,
      credentials,
      id: account.id,
      name: account.name,
      user: { email: me.user.email },
      ...(plan.movedWith.length ? { movedWith: plan.movedWith } : {}),
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
  out.print(`Account ${out.style.cyan(alias)} is now the current account.`);
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
  if (plan.movedWith.length) {
    out.note(
      `The OAuth session is shared: the tokens of ${
        plan.movedWith.join(", ")
      } moved into the OS keychain too.`,
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
}

/** Revokes tokens issued for a login that was not stored; the reason if one failed. */
async function revokeIssued(
  ctx: Context,
  host: string,
  tokens: TokenSet,
): Promise<string | undefined> {
  // Not the Ctrl-C signal: it may already be aborted, and these tokens must still go.
  const spinner = ctx.out.spinner("Revoking the tokens issued for this login");
  const result = await revokeTokenPair(
    { access: tokens.accessToken, refresh: tokens.refreshToken },
    { host, timeoutMs: ctx.settings.oauthTimeoutMs, fetch: ctx.fetch },
  ).finally(() => spinner.stop());
  const failed = [result.access, result.refresh].find((r) => r?.status === "failed");
  return failed?.status === "failed" ? failed.reason : undefined;
}
