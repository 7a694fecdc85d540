/** `ably accounts`: the topic, its listing, and its subcommands. */
import type { Command } from "@commander-js/extra-typings";
import type { App } from "../../cli.ts";
import { registerCurrent } from "./current.ts";
import { registerList } from "./list.ts";
import { defineLogin, LOGIN_DESCRIPTION, registerLogin } from "./login.ts";
import { registerLogout } from "./logout.ts";
import { registerSwitch } from "./switch.ts";
import { setExamples } from "../help.ts";
import { closest } from "../suggest.ts";
import { usageError } from "../../errors.ts";

export function registerAccounts(program: Command, app: App): void {
  const accounts = program
    .command("accounts")
    .alias("account")
    .description("Manage Ably accounts and your configured access tokens")
    .helpCommand(false)
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

  // Like the official CLI, the bare topic lists the subcommands; a mistyped one is a
  // usage error with a suggestion.
  accounts.action((_options, command) =>
    app.run("accounts", {
      json: command.args.includes("--json") || undefined,
      prettyJson: command.args.includes("--pretty-json") || undefined,
    }, (out) => {
      const names = command.commands.map((sub) => sub.name());
      const unknown = command.args.find((arg) => !arg.startsWith("-"));
      if (unknown) {
        const guess = closest(unknown, names);
        throw usageError(
          `Command "accounts ${unknown}" not found.` +
            (guess ? ` Did you mean "accounts ${guess}"?` : ' Run "ably accounts" to list them.'),
        );
      }
      const rows = command.commands.map((
        sub,
      ) => [`ably accounts ${sub.name()}`, sub.description()]);
      const width = Math.max(...rows.map(([id]) => id.length)) + 2;
      out.result({ commands: rows.map(([id, description]) => ({ id, description })) });
      out.print("Ably accounts management commands:");
      out.print();
      for (const [id, text] of rows.sort()) {
        out.print(`  ${out.style.cyan(id.padEnd(width))} - ${text}`);
      }
      out.print();
      out.print("Run `ably accounts COMMAND --help` for more information on a command.");
      return Promise.resolve();
    })
  );
}
