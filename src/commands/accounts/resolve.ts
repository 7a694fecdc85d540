/** Turning what the user typed into an alias, with the errors logout and switch share. */
import { CliError, usageError } from "../../errors.ts";
import { accountSummaries, resolveAccount } from "../../config/accounts.ts";
import type { AblyConfig } from "../../config/schema.ts";

export function resolveOrFail(config: AblyConfig, aliasOrId: string): string {
  const found = resolveAccount(config, aliasOrId);
  switch (found.kind) {
    case "found":
      return found.alias;
    case "empty":
      throw usageError("The account alias or ID must not be empty.");
    case "ambiguous-id":
      throw new CliError(
        `Account ID "${aliasOrId}" is shared by several aliases (${
          found.aliases.join(", ")
        }). Use the alias instead.`,
        { component: "account", context: { matchingAliases: found.aliases } },
      );
    case "not-found":
      throw new CliError(
        `Account "${aliasOrId}" not found. Run "ably accounts list" to see available accounts.`,
        { component: "account", context: { availableAccounts: accountSummaries(config) } },
      );
  }
}
