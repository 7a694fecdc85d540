/** `ably accounts`: the topic, its listing, and its subcommands. */
import type { Command } from "@commander-js/extra-typings";
import type { App } from "../../cli.ts";
import { registerLogout } from "./logout.ts";

export function registerAccounts(program: Command, app: App): void {
  const accounts = program
    .command("accounts")
    .alias("account")
    .description("Manage Ably accounts and your configured access tokens")
    .allowUnknownOption(true)
    .allowExcessArguments(true);
  registerLogout(accounts, app);

  // Like the official CLI, the bare topic (or an unknown word after it) lists the subcommands.
  accounts.action((_options, command) => {
    const unknown = command.args.find((arg) => !arg.startsWith("-"));
    if (unknown) console.error(`⚠ Command accounts ${unknown} not found.`);
    const rows = command.commands.map((sub) => [`ably accounts ${sub.name()}`, sub.description()]);
    const width = Math.max(...rows.map(([id]) => id.length)) + 2;
    console.log("Ably accounts management commands:\n");
    for (const [id, description] of rows.sort()) {
      console.log(`  ${id.padEnd(width)} - ${description}`);
    }
    console.log("\nRun `ably accounts COMMAND --help` for more information on a command.");
  });
}
