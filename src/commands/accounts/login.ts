/**
 * `ably accounts login` (and `ably login`): OAuth device authorization, or an
 * existing access token; then the choices (account, alias, app, key), one
 * locked write of the login as planned (the accounts service), and the report.
 * Tokens issued for a login that does not get stored (a failure, Ctrl-C, Esc or
 * Ctrl-D anywhere) are revoked on the way out; tokens the login replaces are
 * revoked by the service, at their own issuer, before the new file replaces the old.
 */
import type { Context } from "../../context.ts";
import { tokenProblem } from "../../input.ts";
import { usageError } from "../../errors.ts";
import { accountsOf } from "../../config/accounts.ts";
import { aliasProblem } from "../../config/alias.ts";
import { FILE } from "../../config/credential-marks.ts";
import { capitalised, officialCliNote } from "../shared/stores.ts";
import { DEFAULT_OAUTH_HOST } from "../../oauth/endpoint.ts";
import type { TokenSet } from "../../oauth/tokens.ts";
import type { ControlClient, Me, RemoteAccount } from "../../control/api.ts";
import type { LoginPlan } from "../../accounts/login.ts";
import type { LoginOptions } from "./specs.ts";
import { authorizeDevice } from "../shared/device-authorization.ts";
import { chooseAlias, chooseApp, chooseKey, chooseRemoteAccount } from "../shared/login-choices.ts";

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
  const store = options.keychain === true ? "keychain" : ctx.settings.credentialStore;
  const askedBy = options.keychain === true ? "--keychain" : `ABLY_CLI_CREDENTIAL_STORE=${store}`;
  await ctx.accounts.prepareLogin(options.alias, { name: store, askedBy });
  if (options.token !== undefined) {
    const token = await pastedToken(ctx, options.token);
    ctx.out.protect([token]);
    const credentials = { kind: "token", token } as const;
    const plan = await choose(
      ctx,
      options,
      await ctx.accounts.controlWith(token),
      credentials,
      store,
    );
    await report(ctx, await ctx.accounts.recordLogin(plan));
    return;
  }
  const oauthHost = ctx.settings.oauthHost ?? DEFAULT_OAUTH_HOST;
  const tokens = await authorizeDevice(ctx, oauthHost, options.browser !== false);
  ctx.out.protect([tokens.accessToken, tokens.refreshToken]);
  await storeOrRevoke(ctx, oauthHost, tokens, async () => {
    const credentials = { kind: "oauth", tokens } as const;
    const client = await ctx.accounts.controlWith(tokens.accessToken);
    // Not cancellable: once the write has begun it is finished, and what it stores is kept.
    return await ctx.accounts.recordLogin(await choose(ctx, options, client, credentials, store));
  });
}

/**
 * Runs the rest of an OAuth login; whatever stops it before the tokens are stored, the
 * issued tokens must not outlive it. A second Ctrl-C waits for their revocation (it is
 * bounded by the OAuth time-out), and the screen says so.
 */
async function storeOrRevoke(
  ctx: Context,
  host: string,
  tokens: TokenSet,
  login: () => Promise<LoginPlan>,
): Promise<void> {
  let stored: LoginPlan;
  try {
    stored = await login();
  } catch (error) {
    // A cancellation comes back from the service saying what became of the tokens.
    const { said, failure } = await ctx.accounts.abandonLogin(host, tokens, error);
    if (error instanceof Declined) return ctx.out.warning(said);
    if (failure !== undefined) {
      ctx.out.warning(
        `The tokens issued for this login could not be revoked (${failure}); they stay valid until they expire.`,
      );
    }
    throw error;
  }
  await report(ctx, stored);
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
  return checked(await ctx.prompter.secret("Paste your access token:"), "pasted");
}

/** Who is this, which account, alias, app and key: asked on a terminal, else defaults. */
async function choose(
  ctx: Context,
  options: LoginOptions,
  client: ControlClient,
  credentials: LoginPlan["credentials"],
  store: string,
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
  // Apart from the device flow's lines above it; a token login has said nothing yet.
  if (credentials.kind === "oauth") out.print();
  out.print(`Using account ${out.style.cyan(account.name)} (${account.id}).`);
  const existing = await ctx.accounts.read();
  const alias = await chooseAlias(ctx, existing, account, options.alias, Boolean(options.force));
  const movedWith = store !== FILE && credentials.kind === "oauth"
    ? await ctx.accounts.movingWith(existing, alias, me.user.email)
    : [];
  if (movedWith.length) await confirmMove(ctx, me.user.email, movedWith, store);
  const app = await chooseApp(ctx, client, account.id);
  const key = app ? await chooseKey(ctx, client, app.app) : undefined;
  const holder = accountsOf(existing)[alias]?.accountId;
  const endpoint = options.endpoint;
  return { credentials, me, account, alias, holder, app, key, store, movedWith, endpoint };
}

/** Said before anything is stored; asked on a terminal ("no" stops the login). */
async function confirmMove(
  ctx: Context,
  email: string,
  others: string[],
  storeName: string,
): Promise<void> {
  const store = await ctx.accounts.store(storeName);
  const names = others.map((other) => `"${other}"`).join(", ");
  ctx.out.note(
    `The OAuth session of ${email} is shared with ${names}: with --${store.name} its tokens move into ${store.label} for ${
      others.length === 1 ? "that account" : "those accounts"
    } too (${officialCliNote(store)}).`,
  );
  if (!ctx.interactive) return;
  if (!(await ctx.prompter.confirm(`Move the tokens of ${names} into ${store.label} too?`))) {
    throw new Declined();
  }
}

async function report(ctx: Context, plan: LoginPlan): Promise<void> {
  const { out } = ctx;
  const { alias, account, me, app, key } = plan;
  const authMethod = plan.credentials.kind;
  out.result({
    account: {
      alias,
      authMethod,
      credentials: plan.store,
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
  if (plan.store !== FILE) {
    const store = await ctx.accounts.store(plan.store);
    out.note(
      `Tokens and API keys stored in ${store.label} (${store.place()}), not in the config file. ${
        capitalised(officialCliNote(store, alias))
      }.`,
    );
    if (plan.movedWith.length) {
      out.note(
        `The OAuth session is shared: the tokens of ${
          plan.movedWith.join(", ")
        } moved into ${store.label} too.`,
      );
    }
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
