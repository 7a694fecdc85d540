/**
 * What `ably accounts switch` does: make another configured account current,
 * then check its token with the Control API. Loaded only when switch runs.
 */
import type { Env } from "../../cli.ts";
import { CliError, ExitCode, usageError } from "../../errors.ts";
import type { Reporter } from "../../output/reporter.ts";
import { lockTimeoutMs } from "../settings.ts";
import { controlClientFor, type HostFlags } from "../control-context.ts";
import { configLocation } from "../../config/location.ts";
import { readConfig, updateConfig } from "../../config/store.ts";
import { accountsOf, accountSummaries, currentAlias } from "../../config/accounts.ts";
import { setCurrentAccount, setEndpoint } from "../../config/login-records.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { canAsk, choose, INTERRUPTED } from "../../prompt/choose.ts";
import { resolveOrFail } from "./resolve.ts";

export async function switchAccount(
  out: Reporter,
  env: Env,
  aliasOrId: string | undefined,
  flags: HostFlags & { endpoint?: string },
): Promise<number> {
  const location = configLocation(env);
  const config = (await readConfig(location.file)) ?? {};
  if (Object.keys(accountsOf(config)).length === 0) {
    throw new CliError('No accounts configured. Run "ably accounts login" to add an account.', {
      component: "accountSwitch",
    });
  }
  const alias = aliasOrId !== undefined
    ? resolveOrFail(config, aliasOrId)
    : await pickAccount(out, config);
  if (alias === INTERRUPTED) {
    out.warning("Account switch cancelled.");
    return ExitCode.Interrupted;
  }

  await updateConfig(location, (fresh) => {
    if (!Object.hasOwn(accountsOf(fresh), alias)) {
      throw new CliError(`Account "${alias}" is no longer configured.`, {
        component: "accountSwitch",
      });
    }
    setCurrentAccount(fresh, alias);
    if (flags.endpoint) setEndpoint(fresh, alias, flags.endpoint);
    return { changed: true, value: undefined };
  }, { lockTimeoutMs: lockTimeoutMs(env) });

  const account = accountsOf(config)[alias];
  try {
    const client = await controlClientFor(out, env, location, alias, account, flags, config);
    const me = await client.me();
    out.result({
      account: { alias, id: me.account.id, name: me.account.name, user: { email: me.user.email } },
    });
    out.success(`Switched to account ${out.style.cyan(me.account.name)} (${me.account.id}).`);
    out.print(`User: ${me.user.email}`);
  } catch (error) {
    // Still switched: say so, and that the token did not check out.
    out.warning(
      `Switched to account ${alias}, but token verification failed (${
        (error as Error).message
      }). Log in again with "ably accounts login --alias ${alias}" if it has expired.`,
    );
    out.result({
      account: {
        alias,
        ...(account.accountId !== undefined ? { id: account.accountId } : {}),
        ...(account.accountName !== undefined ? { name: account.accountName } : {}),
        verified: false,
      },
    });
  }
  return ExitCode.Success;
}

async function pickAccount(
  out: Reporter,
  config: AblyConfig,
): Promise<string | typeof INTERRUPTED> {
  if (out.json) {
    throw new CliError(
      'No account alias or ID provided. Run "ably accounts list" to see available accounts.',
      { component: "accountSwitch", context: { availableAccounts: accountSummaries(config) } },
    );
  }
  if (!canAsk()) {
    throw usageError(
      "No account alias or ID provided, and no terminal to choose one on. Name the account to switch to.",
    );
  }
  const current = currentAlias(config);
  return await choose(
    "Select an account:",
    Object.entries(accountsOf(config)).map(([alias, account]) => ({
      name: `${alias === current ? "*" : " "} ${alias} (${
        account.accountName ?? account.accountId ?? "Unknown"
      })`,
      value: alias,
    })),
  );
}
