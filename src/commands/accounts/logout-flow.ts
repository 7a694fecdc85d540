/**
 * What `ably accounts logout` does: choose the accounts, confirm, revoke the
 * OAuth sessions the logout drops, remove the accounts in one locked write,
 * report. Loaded only when logout runs.
 */
import type { Env } from "../../cli.ts";
import { CliError, ExitCode, usageError } from "../../errors.ts";
import type { Reporter } from "../../output/reporter.ts";
import { lockTimeoutMs, oauthTimeoutMs } from "../settings.ts";
import { configLocation } from "../../config/location.ts";
import { readSnapshot, updateConfig } from "../../config/store.ts";
import type { AblyConfig, OAuthSession } from "../../config/schema.ts";
import {
  accountsOf,
  type Credentials,
  credentialsOf,
  currentAlias,
  issuerHost,
  removeAccount,
  sessionsOnlyUsedBy,
} from "../../config/accounts.ts";
import { resolveOrFail } from "./resolve.ts";
import {
  type Attempts,
  describeRevocation,
  type Revocation,
  revokeSessions,
  type SessionJob,
  unattempted,
} from "./revocation.ts";

export interface LogoutRequest {
  aliasOrId?: string;
  all: boolean;
  force: boolean;
  oauthHost?: string;
}

export async function logout(out: Reporter, env: Env, request: LogoutRequest): Promise<number> {
  if (request.all && request.aliasOrId !== undefined) {
    throw usageError("--all logs out of every account; do not name one as well.");
  }
  const location = configLocation(env);
  out.verbose("config", "configFile", `Using config file ${location.file}`);
  const snapshot = await readSnapshot(location.file);
  const config = snapshot?.config ?? {};

  const chosen = request.all ? allAccounts(config) : await chooseAccount(out, config, request);
  if (chosen === ExitCode.Interrupted) {
    out.warning("Logout canceled.");
    return ExitCode.Interrupted;
  }
  out.verbose("account", "accountResolved", `Logging out from ${chosen.join(", ")}`);
  if (out.json && !request.force) {
    throw new CliError("The --force flag is required when using --json to confirm logout", {
      component: "accountLogout",
    });
  }
  if (!request.force) {
    const declined = await confirmLogout(out, request.all ? undefined : chosen[0], chosen);
    if (declined !== undefined) return declined;
  }

  // Revoke, before touching the file, the sessions this logout will drop.
  const timeoutMs = oauthTimeoutMs(env);
  const attempts: Attempts = new Map();
  const jobs = sessionsOnlyUsedBy(config, chosen).map((key) =>
    sessionJob(config, key, chosen, request.oauthHost)
  );
  await revokeSessions(out, jobs, timeoutMs, attempts);

  const saved = await updateConfig(location, (fresh) => {
    // --all means every account there is now, including any added meanwhile.
    const targets = request.all ? Object.keys(accountsOf(fresh)) : chosen;
    if (!request.all && !Object.hasOwn(accountsOf(fresh), chosen[0])) {
      return { changed: false, value: undefined };
    }
    const before = new Map(targets.map((alias) => [alias, credentialsOf(fresh, alias)]));
    const dropped: SessionJob[] = sessionsOnlyUsedBy(fresh, targets).map((key) =>
      sessionJob(fresh, key, targets, request.oauthHost)
    );
    let remaining = Object.keys(accountsOf(fresh));
    for (const alias of targets) remaining = removeAccount(fresh, alias);
    return {
      changed: true,
      value: { targets, before, dropped, remaining, current: currentAlias(fresh) },
    };
  }, { lockTimeoutMs: lockTimeoutMs(env), basis: snapshot });
  if (!saved) {
    throw new CliError(
      `Account "${
        chosen[0]
      }" is no longer configured; another ably process may have logged it out.`,
      { component: "accountLogout" },
    );
  }
  out.verbose("config", "configSaved", `Removed ${saved.targets.join(", ")} from ${location.file}`);

  // Another run may have refreshed tokens, or logged out an alias sharing them, since
  // we read the file: revoke whatever the write dropped that was never sent.
  const leftovers = saved.dropped
    .map((job) => ({ ...job, session: unattempted(job.session, attempts.get(job.sessionKey)) }))
    .filter((job) => job.session.accessToken || job.session.refreshToken);
  await revokeSessions(out, leftovers, timeoutMs, attempts);

  const droppedKeys = new Set(saved.dropped.map((job) => job.sessionKey));
  const outcome = (alias: string) => {
    const credentials = saved.before.get(alias)!;
    const dropped = credentials.kind === "oauth" && droppedKeys.has(credentials.sessionKey);
    return describeRevocation(credentials, dropped, attempts);
  };
  if (request.all) {
    reportAll(
      out,
      saved.targets.map((alias) => ({ alias, revocation: outcome(alias) })),
      saved.before,
    );
  } else {
    report(out, chosen[0], saved.remaining, saved.current, outcome(chosen[0]));
  }
  return ExitCode.Success;
}

function sessionJob(
  config: AblyConfig,
  sessionKey: string,
  among: string[],
  fallbackHost: string | undefined,
): SessionJob {
  const aliases = among.filter((a) => accountsOf(config)[a]?.oauthSessionKey === sessionKey);
  const oauthHost = aliases.map((a) => accountsOf(config)[a].oauthHost).find(Boolean);
  return {
    sessionKey,
    host: issuerHost(oauthHost, sessionKey, fallbackHost),
    session: config.oauthSessions![sessionKey] as OAuthSession,
    aliases,
  };
}

function allAccounts(config: AblyConfig): string[] {
  const aliases = Object.keys(accountsOf(config));
  if (aliases.length === 0) {
    throw new CliError('No accounts configured. Use "ably accounts login" to add an account.', {
      component: "accountLogout",
    });
  }
  return aliases;
}

/** The account named on the command line, else the current one, else (on a terminal) a pick. */
async function chooseAccount(
  out: Reporter,
  config: AblyConfig,
  request: LogoutRequest,
): Promise<string[] | typeof ExitCode.Interrupted> {
  const named = request.aliasOrId ?? currentAlias(config);
  if (named !== undefined) return [resolveOrFail(config, named)];

  const accounts = Object.entries(accountsOf(config));
  const { canAsk, choose } = await import("../../prompt/choose.ts");
  if (out.json || accounts.length === 0 || !canAsk()) {
    throw new CliError(
      'No account is currently selected and no alias or ID provided. Run "ably accounts list" to see available accounts.',
      { component: "accountLogout" },
    );
  }
  const picked = await choose(
    "Select an account to log out from:",
    accounts.map(([alias, account]) => ({
      name: [alias, account.accountName, account.userEmail && `<${account.userEmail}>`]
        .filter(Boolean).join("  "),
      value: alias,
    })),
  );
  return typeof picked === "string" ? [picked] : ExitCode.Interrupted;
}

/** `undefined` to go on, or the exit code to stop with. */
async function confirmLogout(
  out: Reporter,
  alias: string | undefined,
  aliases: string[],
): Promise<number | undefined> {
  if (alias !== undefined) {
    out.print(`Warning: Logging out will remove all configuration for account "${alias}".`);
  } else {
    out.print(
      `Warning: Logging out will remove all configuration for ${aliases.length} account${
        aliases.length === 1 ? "" : "s"
      }: ${aliases.map((a) => `"${a}"`).join(", ")}.`,
    );
  }
  out.print("This includes access tokens and any app configurations associated with this account.");
  const { confirm } = await import("../../prompt/confirm.ts");
  const answer = await confirm("Are you sure you want to proceed?");
  switch (answer) {
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
        component: "accountLogout",
        hint:
          "No answer was read from standard input. Use --force to log out without confirmation.",
      });
  }
}

function report(
  out: Reporter,
  alias: string,
  remaining: string[],
  current: string | undefined,
  revocation: Revocation,
): void {
  out.result({ account: { alias, remainingAccounts: remaining, revocation } });
  if (out.json) return;
  warnUnrevoked(out, revocation);
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
  out: Reporter,
  accounts: { alias: string; revocation: Revocation }[],
  before: Map<string, Credentials>,
): void {
  out.result({ accounts, remainingAccounts: [] });
  if (out.json) return;
  const legacy = accounts.filter(({ alias }) => {
    const credentials = before.get(alias)!;
    return credentials.kind === "legacy" && credentials.hasToken;
  });
  if (legacy.length) {
    warnUnrevoked(out, legacy[0].revocation, legacy.map((a) => a.alias));
  }
  out.print('No remaining accounts. Use "ably accounts login" to log in to an account.');
  const names = accounts.map((a) => a.alias).join(", ");
  out.success(
    `Successfully logged out from ${accounts.length} account${
      accounts.length === 1 ? "" : "s"
    }: ${names}.`,
  );
}

/** One line when tokens stay valid: the user must know. */
function warnUnrevoked(out: Reporter, revocation: Revocation, legacyAliases?: string[]): void {
  const { access } = revocation;
  if (access.status === "skipped" && access.reason === "shared-session") {
    out.warning(
      `Tokens not revoked: the OAuth session is still used by ${
        access.sharedWith.map((a) => `"${a}"`).join(", ")
      }, so they stay valid.`,
    );
  } else if (access.status === "skipped" && access.reason === "legacy-token") {
    const whose = legacyAliases && legacyAliases.length > 0 ? ` (${legacyAliases.join(", ")})` : "";
    out.warning(
      `Access token not revoked${whose}: legacy (pre-OAuth) tokens cannot be revoked by the CLI; revoke it in the Ably dashboard if it is no longer needed.`,
    );
  }
}
