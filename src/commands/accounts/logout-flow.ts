/**
 * What `ably accounts logout` does: resolve the account, confirm, revoke its
 * OAuth tokens, remove it from the config, report. Loaded only when logout runs.
 */
import type { Env } from "../../cli.ts";
import { CliError, ExitCode, usageError } from "../../errors.ts";
import type { Reporter } from "../../output/reporter.ts";
import { lockTimeoutMs, oauthTimeoutMs } from "../settings.ts";
import { configLocation } from "../../config/location.ts";
import { readSnapshot, updateConfig } from "../../config/store.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { accountsOf, credentialsOf, currentAlias, removeAccount } from "../../config/accounts.ts";
import { resolveOrFail } from "./resolve.ts";
import { type Revocation, revokeAccountTokens, revokeLeftovers } from "./revocation.ts";

export interface LogoutRequest {
  aliasOrId?: string;
  extraArgs: string[];
  force: boolean;
  oauthHost?: string;
}

export async function logout(out: Reporter, env: Env, request: LogoutRequest): Promise<number> {
  if (request.extraArgs.length) {
    const plural = request.extraArgs.length > 1 ? "s" : "";
    throw usageError(`Unexpected argument${plural}: ${request.extraArgs.join(", ")}`);
  }
  const location = configLocation(env);
  out.verbose("config", "configFile", `Using config file ${location.file}`);
  const snapshot = await readSnapshot(location.file);
  const config = snapshot?.config ?? {};

  const alias = chooseAccount(config, request.aliasOrId);
  out.verbose("account", "accountResolved", `Logging out from account ${alias}`);
  if (out.json && !request.force) {
    throw new CliError("The --force flag is required when using --json to confirm logout", {
      component: "accountLogout",
    });
  }

  if (!request.force) {
    const declined = await confirmLogout(out, alias);
    if (declined !== undefined) return declined;
  }

  const revocation = await revokeAccountTokens(out, credentialsOf(config, alias), {
    fallbackHost: request.oauthHost,
    timeoutMs: oauthTimeoutMs(env),
  });

  const saved = await updateConfig(location, (fresh) => {
    if (!Object.hasOwn(accountsOf(fresh), alias)) return { changed: false, value: undefined };
    const before = credentialsOf(fresh, alias);
    const removal = removeAccount(fresh, alias);
    return { changed: true, value: { ...removal, before, current: currentAlias(fresh) } };
  }, { lockTimeoutMs: lockTimeoutMs(env), basis: snapshot });
  if (!saved) {
    throw new CliError(
      `Account "${alias}" is no longer configured; another ably process may have logged it out.`,
      { component: "accountLogout" },
    );
  }
  out.verbose("config", "configSaved", `Removed account ${alias} from ${location.file}`);

  // Another process may have refreshed the tokens, or logged out the alias that
  // shared them, since we read the file: revoke whatever was dropped unrevoked.
  if (saved.droppedSession && saved.before.kind === "oauth") {
    await revokeLeftovers(out, revocation, saved.droppedSession, {
      ...saved.before,
      fallbackHost: request.oauthHost,
      timeoutMs: oauthTimeoutMs(env),
    });
  }

  report(out, alias, saved.remaining, saved.current, revocation.result);
  return ExitCode.Success;
}

/** The account named on the command line, else the current one. */
function chooseAccount(config: AblyConfig, aliasOrId: string | undefined): string {
  if (aliasOrId === undefined) {
    const current = currentAlias(config);
    if (current === undefined) {
      throw new CliError(
        'No account is currently selected and no alias or ID provided. Run "ably accounts list" to see available accounts.',
        { component: "accountLogout" },
      );
    }
    aliasOrId = current;
  }
  return resolveOrFail(config, aliasOrId);
}

/** `undefined` to go on, or the exit code to stop with. */
async function confirmLogout(out: Reporter, alias: string): Promise<number | undefined> {
  out.print(`Warning: Logging out will remove all configuration for account "${alias}".`);
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

  const { access } = revocation;
  if (access.status === "skipped" && access.reason === "shared-session") {
    out.warning(
      `Tokens not revoked: the OAuth session is still used by ${
        access.sharedWith.map((a) => `"${a}"`).join(", ")
      }, so they stay valid.`,
    );
  } else if (access.status === "skipped" && access.reason === "legacy-token") {
    out.warning(
      "Access token not revoked: legacy (pre-OAuth) tokens cannot be revoked by the CLI; revoke it in the Ably dashboard if it is no longer needed.",
    );
  }

  if (current !== undefined) {
    out.print(`Account ${out.style.cyan(current)} is still the current account.`);
  } else if (remaining.length) {
    out.print(`Use "ably accounts switch ${remaining[0]}" to select another account.`);
  } else {
    out.print('No remaining accounts. Use "ably accounts login" to log in to an account.');
  }
  out.success(`Successfully logged out from account ${alias}.`);
}
