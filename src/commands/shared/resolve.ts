/**
 * Which configured account a command means: what the user typed, the current
 * account, or a pick from a list; and the errors logout and switch share.
 */
import type { Context } from "../../context.ts";
import { CliError, shown, usageError } from "../../errors.ts";
import {
  accountsOf,
  accountSummaries,
  currentAlias,
  resolveAccount,
} from "../../config/accounts.ts";
import type { AblyConfig } from "../../config/schema.ts";
import type { Choice } from "../../prompt/prompter.ts";

export function resolveOrFail(config: AblyConfig, aliasOrId: string): string {
  const found = resolveAccount(config, aliasOrId);
  switch (found.kind) {
    case "found":
      return found.alias;
    case "empty":
      throw usageError("The account alias or ID must not be empty.");
    case "ambiguous-id":
      throw new CliError(
        `Account ID "${shown(aliasOrId)}" is shared by several aliases (${
          found.aliases.join(", ")
        }). Use the alias instead.`,
        { component: "account", context: { matchingAliases: found.aliases } },
      );
    case "not-found":
      throw new CliError(
        `Account "${
          shown(aliasOrId)
        }" not found. Run "ably accounts list" to see available accounts.`,
        { component: "account", context: { availableAccounts: accountSummaries(config) } },
      );
  }
}

/**
 * The current account, when it is configured. Unset and dangling (naming an alias the
 * file no longer has) are told apart, in the same words for every command.
 */
export function currentOrFail(config: AblyConfig, component: string): string {
  const alias = currentAlias(config);
  if (alias === undefined) {
    throw new CliError(
      'No account is currently selected. Run "ably accounts login" or "ably accounts switch" to select an account.',
      { component },
    );
  }
  if (!Object.hasOwn(accountsOf(config), alias)) {
    throw new CliError(
      `Account "${
        shown(alias)
      }" not found: it is the current account in the config, but it is not configured. Run "ably accounts switch" to select another account.`,
      { component, context: { availableAccounts: accountSummaries(config) } },
    );
  }
  return alias;
}

/**
 * No account in the file. The official CLI words it "Use" for list and logout
 * and "Run" for switch; every command here says "Run", as for every other hint.
 */
export function noAccounts(component: string): CliError {
  return new CliError(`No accounts configured. Run "ably accounts login" to add an account.`, {
    component,
  });
}

/** The configured accounts as pick-list choices, in aligned columns: alias, name, email. */
export function accountChoices(config: AblyConfig): Choice<string>[] {
  const current = currentAlias(config);
  const rows = Object.entries(accountsOf(config)).map(([alias, account]) => ({
    alias,
    label: alias === current ? `${alias} (current)` : alias,
    name: account.accountName ?? account.accountId ?? "",
    email: account.userEmail ? `<${account.userEmail}>` : "",
  }));
  const labelWidth = Math.max(...rows.map((row) => row.label.length));
  const nameWidth = Math.max(...rows.map((row) => row.name.length));
  return rows.map((row) => ({
    name: [row.label.padEnd(labelWidth), row.name.padEnd(nameWidth), row.email].join("  ")
      .trimEnd(),
    value: row.alias,
  }));
}

/** A pick list of the configured accounts, starting on the current one. */
export async function pickAccount(
  ctx: Context,
  config: AblyConfig,
  message: string,
): Promise<string> {
  const current = currentAlias(config);
  return await ctx.prompter.choose(
    message,
    accountChoices(config),
    current !== undefined && Object.hasOwn(accountsOf(config), current) ? current : undefined,
  );
}
