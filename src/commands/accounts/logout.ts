/**
 * `ably accounts logout`: choose the accounts, confirm, then under the config
 * lock revoke the OAuth sessions the logout drops and remove the accounts in
 * one write; report what happened to every token.
 */
import type { Context } from "../../context.ts";
import { CliError, ExitCode, usageError } from "../../errors.ts";
import { LockWaitAborted } from "../../config/errors.ts";
import type { AblyConfig } from "../../config/schema.ts";
import {
  accountsOf,
  aliasesUsing,
  type Credentials,
  credentialsOf,
  currentAlias,
  issuerHost,
  removeAccount,
  sessionOf,
  sessionsOnlyUsedBy,
} from "../../config/accounts.ts";
import { currentOrFail, noAccounts, pickAccount, resolveOrFail } from "./resolve.ts";
import {
  type Attempts,
  describeRevocation,
  type Revocation,
  revokeSessions,
  type SessionJob,
} from "./revocation.ts";

export type LogoutOptions = {
  accountAliasOrId?: string;
  all?: boolean;
  force?: boolean;
};

const COMPONENT = "accountLogout";

export async function run(ctx: Context, options: LogoutOptions): Promise<number> {
  const { out } = ctx;
  if (options.all && options.accountAliasOrId !== undefined) {
    throw usageError("--all logs out of every account; do not name one as well.");
  }
  const location = ctx.settings.config;
  out.verbose("config", "configFile", `Using config file ${location.file}`);
  const snapshot = await ctx.store.snapshot();
  const config = snapshot?.config ?? {};

  // A named account is resolved first (as the official CLI: "not found" beats the --force rule).
  const named = options.accountAliasOrId === undefined
    ? undefined
    : [resolveOrFail(config, options.accountAliasOrId)];
  if (out.json && !options.force) {
    throw new CliError("The --force flag is required when using --json to confirm logout", {
      component: COMPONENT,
    });
  }
  const chosen = named ?? (options.all ? allAccounts(config) : await chooseAccount(ctx, config));
  if (chosen === ExitCode.Interrupted) {
    out.warning("Logout canceled.");
    return ExitCode.Interrupted;
  }
  out.verbose("account", "accountResolved", `Logging out from ${chosen.join(", ")}`);
  if (!options.force) {
    const declined = await confirmLogout(ctx, options.all ? undefined : chosen[0], chosen);
    if (declined !== undefined) return declined;
  }

  // Revocation happens under the lock, on what the file holds then (tokens another run
  // refreshed meanwhile are the ones revoked, and nothing can start sharing them first),
  // and last: after the new file is written and synced, just before it replaces the old.
  let revoked: { attempts: Attempts; jobs: SessionJob[] } | undefined;
  let saved;
  try {
    saved = await ctx.store.update((fresh) => {
      // --all means every account there is now, including any added meanwhile.
      const targets = options.all ? Object.keys(accountsOf(fresh)) : chosen;
      if (!options.all && !Object.hasOwn(accountsOf(fresh), chosen[0])) {
        return { changed: false, value: undefined };
      }
      const before = new Map(targets.map((alias) => [alias, credentialsOf(fresh, alias)]));
      const jobs = sessionsOnlyUsedBy(fresh, targets).map((key) =>
        sessionJob(fresh, key, targets.length > 1, ctx.settings.oauthHost)
      );
      let remaining = Object.keys(accountsOf(fresh));
      for (const alias of targets) remaining = removeAccount(fresh, alias);
      const value = { targets, before, jobs, remaining, current: currentAlias(fresh) };
      return {
        changed: true,
        value,
        beforeCommit: async () => {
          revoked = { attempts: await revokeSessions(ctx, jobs), jobs };
        },
      };
    }, { cancellable: true, basis: snapshot, secretsFor: options.all ? "all" : chosen });
  } catch (error) {
    if (error instanceof LockWaitAborted) {
      out.warning("Logout canceled.");
      return ExitCode.Interrupted;
    }
    // Only the final rename can fail after revoking: say exactly what is dead.
    if (revoked) throw revokedButKept(error, revoked.attempts, revoked.jobs);
    throw error;
  }
  if (!saved) {
    throw new CliError(
      `Account "${
        chosen[0]
      }" is no longer configured; another ably process may have logged it out.`,
      { component: COMPONENT },
    );
  }
  const attempts = revoked?.attempts ?? new Map();
  const droppedKeys = new Set(saved.jobs.map((job) => job.sessionKey));
  const accounts = saved.targets.map((alias) => {
    const credentials = saved.before.get(alias)!;
    const gone = credentials.kind === "oauth" && droppedKeys.has(credentials.sessionKey);
    return { alias, revocation: describeRevocation(credentials, gone, attempts) };
  });
  out.verbose("config", "configSaved", `Removed ${saved.targets.join(", ")} from ${location.file}`);

  if (options.all) reportAll(ctx, accounts, saved.before);
  else report(ctx, accounts[0].alias, saved.remaining, saved.current, accounts[0].revocation);
  if (ctx.signal.aborted) {
    out.warning(
      "Interrupted while revoking: the logout was completed; tokens not reported revoked may remain valid until they expire.",
    );
    return ExitCode.Interrupted;
  }
  return ExitCode.Success;
}

/** The write failed after the tokens were revoked: the account stays, and the user must know. */
function revokedButKept(error: unknown, attempts: Attempts, jobs: SessionJob[]): CliError {
  const done = jobs.flatMap((job) =>
    (["access", "refresh"] as const)
      .filter((kind) => attempts.get(job.sessionKey)?.[kind]?.status === "revoked")
      .map((kind) => `${kind} token${job.whose}`)
  );
  const cause = error instanceof Error ? error.message : String(error);
  return new CliError(
    `${cause} The config was not changed, but these tokens were already revoked: ${
      done.join(", ") || "none"
    }. The account is still configured with them; fix the problem and log out again.`,
    { component: COMPONENT, cause: error },
  );
}

function sessionJob(
  config: AblyConfig,
  sessionKey: string,
  several: boolean,
  fallbackHost: string | undefined,
): SessionJob {
  const aliases = aliasesUsing(config, sessionKey);
  const oauthHost = aliases.map((a) => accountsOf(config)[a].oauthHost).find(Boolean);
  const session = sessionOf(config, sessionKey)!;
  return {
    sessionKey,
    // The override only for a session that does not record its issuer (older CLIs).
    host: issuerHost(oauthHost, sessionKey, fallbackHost),
    tokens: { accessToken: session.accessToken, refreshToken: session.refreshToken },
    whose: several ? ` of ${aliases.join(", ")}` : "",
  };
}

function allAccounts(config: AblyConfig): string[] {
  const aliases = Object.keys(accountsOf(config));
  if (aliases.length === 0) throw noAccounts(COMPONENT);
  return aliases;
}

/** The current account, else (on a terminal) a pick. */
async function chooseAccount(
  ctx: Context,
  config: AblyConfig,
): Promise<string[] | typeof ExitCode.Interrupted> {
  if (currentAlias(config) !== undefined) return [currentOrFail(config, COMPONENT)];
  if (!ctx.interactive || Object.keys(accountsOf(config)).length === 0) {
    throw new CliError(
      'No account is currently selected and no alias or ID provided. Run "ably accounts list" to see available accounts.',
      { component: COMPONENT },
    );
  }
  const picked = await pickAccount(ctx, config, "Select an account to log out from:");
  return typeof picked === "string" ? [picked] : ExitCode.Interrupted;
}

/** `undefined` to go on, or the exit code to stop with. */
async function confirmLogout(
  ctx: Context,
  alias: string | undefined,
  aliases: string[],
): Promise<number | undefined> {
  const { out } = ctx;
  // Part of the question: on stderr with it, so `ably … > file` still shows it.
  if (alias !== undefined) {
    out.note(`Warning: Logging out will remove all configuration for account "${alias}".`);
  } else {
    out.note(
      `Warning: Logging out will remove all configuration for ${aliases.length} account${
        aliases.length === 1 ? "" : "s"
      }: ${aliases.map((a) => `"${a}"`).join(", ")}.`,
    );
  }
  const these = aliases.length === 1 ? "this account" : "these accounts";
  out.note(`This includes access tokens and any app configurations associated with ${these}.`);
  switch (await ctx.prompter.confirm("Are you sure you want to proceed?")) {
    case "yes":
      return undefined;
    case "no":
      out.warning("Logout canceled.");
      return ExitCode.Success;
    case "interrupted":
      out.warning("Logout canceled.");
      return ExitCode.Interrupted;
    case "eof":
      throw new CliError("Logout canceled.", {
        component: COMPONENT,
        hint:
          "No answer was read from standard input. Use --force to log out without confirmation.",
      });
  }
}

function report(
  ctx: Context,
  alias: string,
  remaining: string[],
  current: string | undefined,
  revocation: Revocation,
): void {
  const { out } = ctx;
  out.result({ account: { alias, remainingAccounts: remaining, revocation } });
  if (out.json) return;
  warnUnrevoked(ctx, revocation);
  if (current !== undefined) {
    out.print(`Account ${out.style.cyan(current)} is still the current account.`);
  } else if (remaining.length) {
    out.print(`Use "ably accounts switch ${remaining[0]}" to select another account.`);
  } else {
    out.print('No remaining accounts. Use "ably accounts login" to log in to an account.');
  }
  out.success(`Successfully logged out from account ${alias}.`);
}

function reportAll(
  ctx: Context,
  accounts: { alias: string; revocation: Revocation }[],
  before: Map<string, Credentials>,
): void {
  const { out } = ctx;
  out.result({ accounts, remainingAccounts: [] });
  if (out.json) return;
  const legacy = accounts.filter(({ alias }) => {
    const credentials = before.get(alias)!;
    return credentials.kind === "legacy" && credentials.hasToken;
  });
  if (legacy.length) warnUnrevoked(ctx, legacy[0].revocation, legacy.map((a) => a.alias));
  out.print('No remaining accounts. Use "ably accounts login" to log in to an account.');
  const names = accounts.map((a) => a.alias).join(", ");
  out.success(
    `Successfully logged out from ${accounts.length} account${
      accounts.length === 1 ? "" : "s"
    }: ${names}.`,
  );
}

/** One line when tokens stay valid: the user must know. */
function warnUnrevoked(ctx: Context, revocation: Revocation, legacyAliases?: string[]): void {
  const { access } = revocation;
  if (access.status === "skipped" && access.reason === "shared-session") {
    ctx.out.warning(
      `Tokens not revoked: the OAuth session is still used by ${
        access.sharedWith.map((a) => `"${a}"`).join(", ")
      }, so they stay valid.`,
    );
  } else if (access.status === "skipped" && access.reason === "legacy-token") {
    const whose = legacyAliases && legacyAliases.length > 0 ? ` (${legacyAliases.join(", ")})` : "";
    ctx.out.warning(
      `Access token not revoked${whose}: legacy (pre-OAuth) tokens cannot be revoked by the CLI; revoke it in the Ably dashboard if it is no longer needed.`,
    );
  }
}
