/** `ably accounts`: the topic, its listing, and its subcommands. */
import type { Command } from "@commander-js/extra-typings";
import type { App } from "../../cli.ts";
import { registerCurrent } from "./current.ts";
import { registerList } from "./list.ts";
import { defineLogin, LOGIN_DESCRIPTION, registerLogin } from "./login.ts";
import { registerLogout } from "./logout.ts";
import { registerSwitch } from "./switch.ts";
import { setExamples } from "../help.ts";

export function registerAccounts(program: Command, app: App): void {
  const accounts = program
    .command("accounts")
    .alias("account")
    .description("Manage Ably accounts and your configured access tokens")
    .allowUnknownOption(true)
    .allowExcessArguments(true);
  registerCurrent(accounts, app);
  registerList(accounts, app);
  registerLogin(accounts, app);
  registerLogout(accounts, app);
  registerSwitch(accounts, app);

  // `ably login` is the same command as `ably accounts login`.
  const login = defineLogin(
    program.command("login").description(`${LOGIN_DESCRIPTION} (alias for "ably accounts login")`),
    app,
    "login",
  );
  setExamples(login, ["ably login", "ably login --alias mycompany", "ably login --json"]);

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
