/**
 * `ably accounts switch`: make another configured account current, then check
 * its token with the Control API.
 */
import type { Context } from "../../context.ts";
import { Cancelled, CliError, usageError } from "../../errors.ts";
import {
  accountsOf,
  accountSummaries,
  setCurrentAccount,
  setEndpoint,
} from "../../config/accounts.ts";
import type { AblyConfig } from "../../config/schema.ts";
import type { SwitchOptions } from "../../cli/tree.ts";
import { controlClientFor } from "./control-access.ts";
import { noAccounts, pickAccount, resolveOrFail } from "./resolve.ts";

const COMPONENT = "accountSwitch";

export async function run(ctx: Context, options: SwitchOptions): Promise<void> {
  const { out } = ctx;
  const config = (await ctx.store.read()) ?? {};
  if (Object.keys(accountsOf(config)).length === 0) throw noAccounts(COMPONENT, "Run");
  const alias = options.accountAliasOrId !== undefined
    ? resolveOrFail(config, options.accountAliasOrId)
    : await chooseAccount(ctx, config);

  await ctx.store.update((fresh) => {
    if (!Object.hasOwn(accountsOf(fresh), alias)) {
      throw new CliError(`Account "${alias}" is no longer configured.`, { component: COMPONENT });
    }
    setCurrentAccount(fresh, alias);
    if (options.endpoint) setEndpoint(fresh, alias, options.endpoint);
    return { changed: true, value: undefined };
  }, { cancellable: true });

  const account = accountsOf(config)[alias];
  const spinner = out.spinner("Verifying the account with the Control API");
  try {
    const { client } = await controlClientFor(ctx, alias, account, config);
    const me = await client.me();
    spinner.stop();
    out.result({
      account: { alias, id: me.account.id, name: me.account.name, user: { email: me.user.email } },
    });
    out.success(`Switched to account ${out.style.cyan(me.account.name)} (${me.account.id}).`);
    out.print(`User: ${me.user.email}`);
  } catch (error) {
    spinner.stop();
    if (error instanceof Cancelled) {
      throw new Cancelled(
        undefined,
        `Switched to account ${alias}; its verification was cancelled.`,
      );
    }
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
}

async function chooseAccount(ctx: Context, config: AblyConfig) {
  if (!ctx.interactive) {
    throw usageError(
      "No account alias or ID provided, and no terminal to choose one on. Name the account to switch to.",
      { availableAccounts: accountSummaries(config) },
    );
  }
  return await pickAccount(ctx, config, "Select an account:");
}
