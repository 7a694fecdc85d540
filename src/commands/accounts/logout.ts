/**
 * `ably accounts logout`: choose the accounts, confirm, log out through the accounts
 * service (one locked write that revokes the OAuth sessions the logout drops), and
 * report what happened to every token.
 */
import type { Context } from "../../context.ts";
import { CliError, usageError } from "../../errors.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { accountsOf, currentAlias } from "../../config/accounts.ts";
import type { LoggedOut, LogoutRequest } from "../../accounts/logout.ts";
import { ACCESS_TOKEN_NOT_REVOKED, type Revocation } from "../../accounts/revocation.ts";
import { StoreError } from "../../credentials/store.ts";
import type { LogoutOptions } from "./specs.ts";
import { currentOrFail, noAccounts, pickAccount, resolveOrFail } from "../shared/resolve.ts";

const COMPONENT = "accountLogout";

export async function run(ctx: Context, options: LogoutOptions): Promise<void> {
  const { out } = ctx;
  if (options.all && options.accountAliasOrId !== undefined) {
    throw usageError("--all logs out of every account; do not name one as well.");
  }
  out.verbose("config", "configFile", `Using config file ${ctx.settings.config.file}`);
  const snapshot = await ctx.accounts.snapshot();
  const config = snapshot?.config ?? {};
  // A named account is resolved first (as the official CLI: "not found" beats the --force rule).
  const named = options.accountAliasOrId === undefined
    ? undefined
    : [resolveOrFail(config, options.accountAliasOrId)];
  if (out.json && !options.force) {
    throw new CliError("The --force flag is required when using --json to confirm logout");
  }
  const chosen = named ?? (options.all ? allAccounts(config) : [await chooseAccount(ctx, config)]);
  out.verbose("account", "accountResolved", `Logging out from ${chosen.join(", ")}`);
  if (!options.force && !(await confirmLogout(ctx, options.all ? undefined : chosen[0], chosen))) {
    out.warning("Logout cancelled.");
    return;
  }
  const request: LogoutRequest = {
    accounts: options.all ? "all" : chosen,
    skipRevoke: Boolean(options.skipRevoke),
    basis: snapshot,
  };
  const done = await logoutOrAsk(ctx, request);
  if (done === undefined) return;
  out.verbose(
    "config",
    "configSaved",
    `Removed ${done.targets.join(", ")} from ${ctx.settings.config.file}`,
  );
  if (!options.all) return report(ctx, done);
  reportAll(ctx, done);
  if (done.keptAccounts.length || done.keptSessions.length) {
    throw keptError(done);
  }
}

/**
 * The logout; tokens a store cannot give stop it, and the user is asked (on a terminal)
 * whether to remove the account anyway. `undefined`: they said no.
 */
async function logoutOrAsk(ctx: Context, request: LogoutRequest): Promise<LoggedOut | undefined> {
  try {
    return await ctx.accounts.logout(request);
  } catch (error) {
    if (!(error instanceof StoreError) || request.skipRevoke || request.accounts === "all") {
      throw error;
    }
    if (!(await removeAnyway(ctx, error))) {
      ctx.out.warning("Logout cancelled.");
      return undefined;
    }
    return await ctx.accounts.logout({ ...request, skipRevoke: true });
  }
}

/** The accounts --all kept because their store could not give their tokens: exit 1. */
function keptError(done: LoggedOut): CliError {
  const { keptAccounts: kept, keptSessions, labels } = done;
  const aliases = kept.map((account) => account.alias);
  const from = labels[(kept[0] ?? keptSessions[0]).store] ?? "where they are kept";
  if (kept.length === 0) {
    const n = keptSessions.length;
    return new CliError(
      `${n} OAuth session${n === 1 ? "" : "s"} no account uses ${
        n === 1 ? "was" : "were"
      } not ended because ${n === 1 ? "its" : "their"} tokens could not be read from ${from}: ${
        keptSessions.map((session) => session.sessionKey).join(", ")
      }. Fix that as said above and run the logout again.`,
      { component: COMPONENT, context: { keptSessions: keptSessions.map((s) => s.sessionKey) } },
    );
  }
  return new CliError(
    `${kept.length} account${kept.length === 1 ? " was" : "s were"} not logged out because ${
      kept.length === 1 ? "its" : "their"
    } tokens could not be read from ${from}: ${
      aliases.join(", ")
    }. Fix that as said above and run the logout again, or add --skip-revoke to remove ${
      kept.length === 1 ? "it" : "them"
    } without revoking ${kept.length === 1 ? "its" : "their"} tokens.`,
    { component: COMPONENT, context: { kept: aliases } },
  );
}

function allAccounts(config: AblyConfig): string[] {
  const aliases = Object.keys(accountsOf(config));
  if (aliases.length === 0) throw noAccounts(COMPONENT);
  return aliases;
}

/** The current account, else (on a terminal) a pick. */
async function chooseAccount(ctx: Context, config: AblyConfig): Promise<string> {
  if (currentAlias(config) !== undefined) return currentOrFail(config, COMPONENT);
  if (Object.keys(accountsOf(config)).length === 0) throw noAccounts(COMPONENT);
  if (!ctx.interactive) {
    throw new CliError(
      'No account is currently selected and no alias or ID provided. Run "ably accounts list" to see available accounts.',
      { component: COMPONENT },
    );
  }
  return await pickAccount(ctx, config, "Select an account to log out from:");
}

/**
 * A store cannot give an account's tokens: on a terminal, ask whether to remove it
 * anyway (unrevoked); otherwise the error, with the fix and the flag that does that.
 */
async function removeAnyway(ctx: Context, error: StoreError): Promise<boolean> {
  const anyway =
    "Removing it anyway leaves its tokens unrevoked: they stay valid until they expire.";
  if (!ctx.interactive) {
    throw new CliError(`${error.message} ${anyway} To do that, add --skip-revoke.`, {
      component: COMPONENT,
      context: { problem: error.problem, accounts: error.accounts },
      cause: error,
    });
  }
  ctx.out.note(`${error.message} ${anyway}`);
  return await ctx.prompter.confirm("Remove the account anyway, without revoking its tokens?");
}

/** Whether the user said yes. */
async function confirmLogout(
  ctx: Context,
  alias: string | undefined,
  aliases: string[],
): Promise<boolean> {
  const { out } = ctx;
  // Part of the question: on stderr with it, so `ably … > file` still shows it.
  // A warning as every other is shown (the official CLI spells out "Warning:" here only).
  if (alias !== undefined) {
    out.warning(`Logging out will remove all configuration for account "${alias}".`);
  } else {
    out.warning(
      `Logging out will remove all configuration for ${aliases.length} account${
        aliases.length === 1 ? "" : "s"
      }: ${aliases.map((a) => `"${a}"`).join(", ")}.`,
    );
  }
  const these = aliases.length === 1 ? "this account" : "these accounts";
  out.note(`This includes access tokens and any app configurations associated with ${these}.`);
  return await ctx.prompter.confirm("Are you sure you want to proceed?");
}

function report(ctx: Context, done: LoggedOut): void {
  const { out } = ctx;
  const { remaining, current, labels } = done;
  const [{ alias, revocation }] = done.accounts;
  out.result({ account: { alias, remainingAccounts: remaining, revocation } });
  if (out.json) return;
  warnUnrevoked(ctx, revocation, labels);
  if (current !== undefined) {
    out.print(`Account ${out.style.cyan(current)} is still the current account.`);
  } else if (remaining.length) {
    out.print(`Run "ably accounts switch ${remaining[0]}" to select another account.`);
  } else {
    out.print('No remaining accounts. Run "ably accounts login" to log in to an account.');
  }
  out.success(`Successfully logged out from account ${alias}.`);
}

function reportAll(ctx: Context, done: LoggedOut): void {
  const { out } = ctx;
  const { accounts, before, orphans, remaining, keptAccounts, keptSessions, labels } = done;
  out.result({
    accounts,
    remainingAccounts: remaining,
    ...(orphans.length ? { orphanedSessions: orphans.length } : {}),
    ...(keptAccounts.length ? { keptAccounts } : {}),
    ...(keptSessions.length ? { keptSessions } : {}),
  });
  if (out.json) return;
  const legacy = accounts.filter(({ alias }) => {
    const credentials = before.get(alias)!;
    return credentials.kind === "legacy" && credentials.hasToken;
  });
  if (legacy.length) {
    warnUnrevoked(ctx, legacy[0].revocation, labels, legacy.map((a) => a.alias));
  }
  for (const { revocation } of accounts) {
    if (
      revocation.access.status === "skipped" && revocation.access.reason === "store-unreadable"
    ) {
      warnUnrevoked(ctx, revocation, labels);
    }
  }
  if (orphans.length) {
    out.note(
      `Also ended ${orphans.length} OAuth session${
        orphans.length === 1 ? "" : "s"
      } no account used (left by a hand edit or an older tool); their tokens were revoked.`,
    );
  }
  // One by one: which account, why, and what to do.
  for (const { alias, reason } of keptAccounts) {
    out.warning(
      `Account "${alias}" was kept: ${reason} Then run "ably accounts logout ${alias}" again, or add --skip-revoke to remove it without revoking its tokens.`,
    );
  }
  for (const { sessionKey, reason } of keptSessions) {
    out.warning(`OAuth session "${sessionKey}", which no account uses, was kept: ${reason}`);
  }
  if (remaining.length === 0) {
    out.print('No remaining accounts. Run "ably accounts login" to log in to an account.');
  }
  if (accounts.length === 0) return;
  const names = accounts.map((a) => a.alias).join(", ");
  out.success(
    `Successfully logged out from ${accounts.length} account${
      accounts.length === 1 ? "" : "s"
    }: ${names}.`,
  );
}

/** One line when tokens stay valid: the user must know. */
function warnUnrevoked(
  ctx: Context,
  revocation: Revocation,
  labels: Record<string, string>,
  legacyAliases?: string[],
): void {
  const { access } = revocation;
  if (access.status === "skipped" && access.reason === "store-unreadable") {
    const from = (access.store && labels[access.store]) ?? "their store";
    ctx.out.warning(
      `Tokens not revoked: ${from} could not give them, so they stay valid until they expire.`,
    );
  } else if (access.status === "skipped" && access.reason === "shared-session") {
    ctx.out.warning(
      `Tokens not revoked: the OAuth session is still used by ${
        access.sharedWith.map((a) => `"${a}"`).join(", ")
      }, so they stay valid.`,
    );
  } else if (access.status === "skipped" && access.reason === "access-token") {
    const whose = legacyAliases && legacyAliases.length > 0 ? ` (${legacyAliases.join(", ")})` : "";
    ctx.out.warning(
      `Access token not revoked${whose}: ${ACCESS_TOKEN_NOT_REVOKED}.`,
    );
  }
}
