/**
 * `ably accounts switch`: make another account current, then check its token
 * with the Control API. The account is a configured one, or one that a
 * configured OAuth login reaches without being configured (the accounts
 * service stores it under a new alias sharing the login's session, as the
 * official CLI's picker does). With no account at all, a terminal is offered a
 * login.
 */
import type { Context } from "../../context.ts";
import { RunInstead, usageError } from "../../errors.ts";
import {
  accountsOf,
  accountSummaries,
  currentAlias,
  resolveAccount,
} from "../../config/accounts.ts";
import type { AblyConfig } from "../../config/schema.ts";
import type { Reachable } from "../../accounts/switch.ts";
import type { SwitchOptions } from "./specs.ts";
import { accountChoices, noAccounts, resolveOrFail } from "../shared/resolve.ts";

/** A configured alias, or an account a configured OAuth login reaches. */
type Target = { kind: "configured"; alias: string } | ({ kind: "reachable" } & Reachable);

export async function run(ctx: Context, options: SwitchOptions): Promise<void> {
  const config = await ctx.accounts.read();
  if (Object.keys(accountsOf(config)).length === 0) {
    // An account named where there are none: said as such, not answered with a question.
    if (options.accountAliasOrId !== undefined) throw noAccounts("accountSwitch");
    return await offerLogin(ctx);
  }
  const target = options.accountAliasOrId !== undefined
    ? await byName(ctx, config, options.accountAliasOrId)
    : await pick(ctx, config);
  const alias = target.kind === "configured"
    ? (await ctx.accounts.switchTo(target.alias, options.endpoint), target.alias)
    : await ctx.accounts.adopt(target, options.endpoint);
  await verifyAndReport(ctx, target, alias);
}

/** Checks the account switched to with the Control API; still switched if that fails. */
async function verifyAndReport(ctx: Context, target: Target, alias: string): Promise<void> {
  const { out } = ctx;
  const fresh = await ctx.accounts.read();
  const account = accountsOf(fresh)[alias];
  const saved = target.kind === "reachable" ? ` Saved as alias ${alias}.` : "";
  const spinner = out.spinner("Verifying the account with the Control API");
  const verified = await ctx.accounts.verify(alias, fresh, {
    cancelled: `Switched to account ${alias}; its verification was cancelled.`,
  }).finally(() => spinner.stop());
  if (verified.kind === "verified") {
    const { me } = verified;
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
    return;
  }
  // Still switched: say so, why it did not check out, and the fix only when it is the token.
  const { reason } = verified;
  const where = `Switched to account ${alias}${saved ? " (saved as a new alias)" : ""}`;
  out.warning(
    verified.kind !== "token"
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

/** No account configured: a terminal is offered a login (yes by default); otherwise the error. */
async function offerLogin(ctx: Context): Promise<void> {
  if (!ctx.interactive) throw noAccounts("accountSwitch");
  if (!(await ctx.prompter.confirm("No accounts configured. Log in now?", { defaultYes: true }))) {
    ctx.out.print('Run "ably accounts login" when you are ready.');
    return;
  }
  throw new RunInstead("accounts:login");
}

/** An alias or ID; an ID no configured account has may be one a configured login reaches. */
async function byName(ctx: Context, config: AblyConfig, name: string): Promise<Target> {
  if (resolveAccount(config, name).kind !== "not-found") {
    return { kind: "configured", alias: resolveOrFail(config, name) };
  }
  const reaching = await ctx.accounts.reachingLogins(config, name);
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
  return { kind: "reachable", ...via };
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
): Promise<({ kind: "reachable" } & Reachable)[]> {
  const via = currentAlias(config);
  const account = via !== undefined ? accountsOf(config)[via] : undefined;
  if (!via || !account) {
    ctx.out.note("Other accounts your login reaches are listed once an account is current.");
    return [];
  }
  if (account.authMethod !== "oauth") {
    ctx.out.note(
      `Other accounts are listed for an OAuth login only (${via} uses an access token).`,
    );
    return [];
  }
  if (!account.oauthSessionKey) {
    ctx.out.note(
      `Other accounts your login reaches are listed once ${via} is logged in again (its OAuth session has ended).`,
    );
    return [];
  }
  const spinner = ctx.out.spinner("Listing the other accounts your login reaches");
  const listed = await ctx.accounts.reachable(config, via).finally(() => spinner.stop());
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
