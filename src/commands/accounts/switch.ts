/**
 * `ably accounts switch`: make another account current, then check its token
 * with the Control API. The account is a configured one, or one that a
 * configured OAuth login reaches (Control API `GET /me/accounts`) without being
 * configured: that one is stored under a new alias sharing the login's session,
 * as the official CLI's picker does ("Other accounts (no login required)").
 * With no account at all, a terminal is offered a login.
 */
import type { Context } from "../../context.ts";
import { Cancelled, CliError, usageError } from "../../errors.ts";
import {
  accountsOf,
  accountSummaries,
  currentAlias,
  resolveAccount,
  setCurrentAccount,
  setEndpoint,
} from "../../config/accounts.ts";
import { aliasFromName, uniqueAlias } from "../../config/alias.ts";
import { table } from "../../config/validate.ts";
import type { AblyConfig, AccountRecord } from "../../config/schema.ts";
import type { RemoteAccount } from "../../control/api.ts";
import type { SwitchOptions } from "./specs.ts";
import { controlClientFor, isTokenProblem } from "./control-access.ts";
import { accountChoices, noAccounts, resolveOrFail } from "./resolve.ts";

const COMPONENT = "accountSwitch";

/** A configured alias, or an account a configured OAuth login reaches. */
type Target =
  | { kind: "configured"; alias: string }
  | { kind: "reachable"; account: RemoteAccount; via: string };

export async function run(ctx: Context, options: SwitchOptions): Promise<void> {
  const { out } = ctx;
  const config = (await ctx.store.read()) ?? {};
  if (Object.keys(accountsOf(config)).length === 0) return await offerLogin(ctx);
  const target = options.accountAliasOrId !== undefined
    ? await byName(ctx, config, options.accountAliasOrId)
    : await pick(ctx, config);

  const alias = target.kind === "configured"
    ? await switchTo(ctx, target.alias, options.endpoint)
    : await adopt(ctx, target, options.endpoint);
  const fresh = (await ctx.store.read()) ?? {};
  const account = accountsOf(fresh)[alias] ?? accountsOf(config)[alias];
  const saved = target.kind === "reachable" ? ` Saved as alias ${alias}.` : "";
  const spinner = out.spinner("Verifying the account with the Control API");
  try {
    const { client } = await controlClientFor(ctx, alias, account, fresh);
    const me = await client.me();
    spinner.stop();
    // A reachable account is named by the listing: /me names the login's own account.
    const shown = target.kind === "reachable" ? target.account : me.account;
    out.result({
      account: {
        alias,
        id: shown.id,
        name: shown.name,
        user: { email: me.user.email },
        ...(target.kind === "reachable" ? { added: true, sharesSessionWith: target.via } : {}),
      },
    });
    out.success(`Switched to account ${out.style.cyan(shown.name)} (${shown.id}).${saved}`);
    out.print(`User: ${me.user.email}`);
  } catch (error) {
    spinner.stop();
    if (error instanceof Cancelled) {
      throw new Cancelled(
        undefined,
        `Switched to account ${alias}; its verification was cancelled.`,
      );
    }
    // Still switched: say so, why it did not check out, and the fix only when it is the token.
    const reason = (error as Error).message;
    const where = `Switched to account ${alias}${saved ? " (saved as a new alias)" : ""}`;
    out.warning(
      !isTokenProblem(error)
        ? `${where}, but it could not be verified (${reason}).`
        : ctx.settings.accessToken
        ? `${where}, but ABLY_ACCESS_TOKEN was not accepted (${reason}); fix it, or unset it to use the account's own tokens.`
        : `${where}, but its token was not accepted (${reason}). Log in again with "ably accounts login --alias ${alias}".`,
    );
    out.result({
      account: {
        alias,
        ...(account?.accountId !== undefined ? { id: account.accountId } : {}),
        ...(account?.accountName !== undefined ? { name: account.accountName } : {}),
        verified: false,
      },
    });
  }
}

/** No account configured: a terminal is offered a login (yes by default); otherwise the error. */
async function offerLogin(ctx: Context): Promise<void> {
  if (!ctx.interactive) throw noAccounts(COMPONENT);
  if (!(await ctx.prompter.confirm("No accounts configured. Log in now?", { defaultYes: true }))) {
    ctx.out.print('Run "ably accounts login" when you are ready.');
    return;
  }
  const login = await import("./login.ts");
  await login.run(ctx, {});
}

/** An alias or ID; an ID no configured account has may be one a configured login reaches. */
async function byName(ctx: Context, config: AblyConfig, name: string): Promise<Target> {
  if (resolveAccount(config, name).kind !== "not-found") {
    return { kind: "configured", alias: resolveOrFail(config, name) };
  }
  const reaching = await reachingLogins(ctx, config, name);
  if (reaching.length === 0) resolveOrFail(config, name); // throws "not found"
  const current = currentAlias(config);
  const via = reaching.find((found) => found.via === current) ?? reaching[0];
  if (reaching.length > 1) {
    ctx.out.note(
      `Account ${via.account.id} is reachable through the logins of ${
        reaching.map((found) => found.via).join(", ")
      }; using ${via.via}'s${via.via === current ? " (the current account)" : ""}.`,
    );
  }
  return { kind: "reachable", account: via.account, via: via.via };
}

/** One alias per OAuth session (the current account's first), for listing what it reaches. */
function loginsOf(config: AblyConfig): string[] {
  const accounts = accountsOf(config);
  const current = currentAlias(config);
  const order = [
    ...(current !== undefined && Object.hasOwn(accounts, current) ? [current] : []),
    ...Object.keys(accounts),
  ];
  const seen = new Set<string>();
  return order.filter((alias) => {
    const key = accounts[alias].authMethod === "oauth"
      ? accounts[alias].oauthSessionKey
      : undefined;
    if (!key || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The configured logins through which account `id` is reachable, with its listing. */
async function reachingLogins(
  ctx: Context,
  config: AblyConfig,
  id: string,
): Promise<{ via: string; account: RemoteAccount }[]> {
  const logins = loginsOf(config);
  if (logins.length === 0) return [];
  const spinner = ctx.out.spinner("Looking for the account among those your logins reach");
  try {
    const listed = await Promise.all(logins.map(async (via) => {
      const found = (await reachable(ctx, config, via)).accounts?.find((a) => a.id === id);
      return found ? [{ via, account: found }] : [];
    }));
    return listed.flat();
  } finally {
    spinner.stop();
  }
}

/** The accounts the login of `via` reaches, or why they could not be listed. */
async function reachable(
  ctx: Context,
  config: AblyConfig,
  via: string,
): Promise<{ accounts?: RemoteAccount[]; problem?: string }> {
  try {
    const { client } = await controlClientFor(ctx, via, accountsOf(config)[via], config);
    return { accounts: await client.accounts() };
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    return { problem: (error as Error).message };
  }
}

/** The picker: configured accounts, then those the current login reaches (never silently missing). */
async function pick(ctx: Context, config: AblyConfig): Promise<Target> {
  if (!ctx.interactive) {
    throw usageError(
      "No account alias or ID provided, and no terminal to choose one on. Name the account to switch to.",
      { availableAccounts: accountSummaries(config) },
    );
  }
  const others = await otherAccounts(ctx, config);
  const configured = accountChoices(config).map((choice) => ({
    name: choice.name,
    value: { kind: "configured", alias: choice.value } as Target,
  }));
  const current = currentAlias(config);
  const initial = configured.find((c) => c.value.kind === "configured" && c.value.alias === current)
    ?.value;
  return await ctx.prompter.choose("Select an account:", [
    { heading: "── Configured accounts ──" },
    ...configured,
    ...(others.length
      ? [
        { heading: "── Other accounts (no login required) ──" },
        ...others.map((target) => ({
          name: `${target.account.name} (${target.account.id})`,
          value: target as Target,
        })),
      ]
      : []),
  ], initial);
}

/** What the current account's OAuth login reaches and is not configured; one line says why not. */
async function otherAccounts(
  ctx: Context,
  config: AblyConfig,
): Promise<{ kind: "reachable"; account: RemoteAccount; via: string }[]> {
  const via = currentAlias(config);
  const account = via !== undefined ? accountsOf(config)[via] : undefined;
  if (!via || !account) {
    ctx.out.note("Other accounts your login reaches are listed once an account is current.");
    return [];
  }
  if (account.authMethod !== "oauth" || !account.oauthSessionKey) {
    ctx.out.note(
      `Other accounts are listed for an OAuth login only (${via} uses an access token).`,
    );
    return [];
  }
  const spinner = ctx.out.spinner("Listing the other accounts your login reaches");
  const listed = await reachable(ctx, config, via).finally(() => spinner.stop());
  if (listed.problem !== undefined) {
    ctx.out.note(`Other accounts your login reaches could not be listed: ${listed.problem}`);
    return [];
  }
  const configuredIds = new Set(
    Object.values(accountsOf(config)).map((a) => a.accountId).filter(Boolean),
  );
  return (listed.accounts ?? []).filter((remote) => !configuredIds.has(remote.id))
    .map((remote) => ({ kind: "reachable" as const, account: remote, via }));
}

/** Makes a configured alias current. */
async function switchTo(ctx: Context, alias: string, endpoint?: string): Promise<string> {
  await ctx.store.update((fresh) => {
    if (!Object.hasOwn(accountsOf(fresh), alias)) {
      throw new CliError(`Account "${alias}" is no longer configured.`, { component: COMPONENT });
    }
    setCurrentAccount(fresh, alias);
    if (endpoint) setEndpoint(fresh, alias, endpoint);
    return { changed: true, value: undefined };
  }, { cancellable: true });
  return alias;
}

/**
 * Stores a reachable account under a new alias that shares the session of the login that
 * reaches it (hosts carried over, the session and its scope untouched), and makes it current.
 */
async function adopt(
  ctx: Context,
  target: { account: RemoteAccount; via: string },
  endpoint?: string,
): Promise<string> {
  const { account } = target;
  const { value } = await ctx.store.update((fresh) => {
    const accounts = accountsOf(fresh);
    const via = Object.hasOwn(accounts, target.via) ? accounts[target.via] : undefined;
    if (!via?.oauthSessionKey) {
      throw new CliError(
        `Account "${target.via}" no longer has the OAuth login that reaches ${account.name}; nothing was changed.`,
        { component: COMPONENT },
      );
    }
    // Configured meanwhile (by another run) with the same login: just switch to it.
    const existing = Object.keys(accounts).find((alias) =>
      accounts[alias].accountId === account.id &&
      accounts[alias].oauthSessionKey === via.oauthSessionKey
    );
    const base = aliasFromName(account.name);
    const alias = existing ?? uniqueAlias(fresh, base, account.id);
    if (!existing && Object.hasOwn(accounts, alias)) {
      throw new CliError(`Alias "${alias}" is already configured; nothing was changed.`, {
        component: COMPONENT,
      });
    }
    if (!existing) {
      if (alias !== base) {
        ctx.out.warning(
          `Alias "${base}" is already used by a different account (${
            accounts[base].accountId ?? "unknown ID"
          }); storing this account as "${alias}" instead.`,
        );
      }
      // The official CLI's key order for an OAuth account.
      const record: AccountRecord = {
        accountId: account.id,
        accountName: account.name,
        apps: table(),
        authMethod: "oauth",
        controlHost: via.controlHost,
        oauthHost: via.oauthHost,
        oauthSessionKey: via.oauthSessionKey,
        userEmail: via.userEmail,
      };
      accounts[alias] = record;
    }
    setCurrentAccount(fresh, alias);
    if (endpoint) setEndpoint(fresh, alias, endpoint);
    return { changed: true, value: alias };
  }, { cancellable: true });
  return value;
}
