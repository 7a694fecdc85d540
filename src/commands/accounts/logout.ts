/**
 * ably accounts logout [ACCOUNT_ALIAS_OR_ID | --all] [--force] [--json | --pretty-json] [--verbose]
 *
 * Log out from an Ably account (the flow itself is in logout-flow.ts).
 */
import type { Command } from "@commander-js/extra-typings";
import type { App } from "../../cli.ts";
import { withGlobalFlags } from "../global-flags.ts";
import { setExamples } from "../help.ts";

export function registerLogout(accounts: Command<[], Record<string, unknown>>, app: App): void {
  const command = withGlobalFlags(
    accounts
      .command("logout")
      .description("Log out from an Ably account")
      .argument(
        "[accountAliasOrId]",
        "Alias or ID of the account to log out from (defaults to current account)",
      )
      .option("-f, --force", "Skip confirmation prompt (required with --json)")
      .option("--all", "Log out of every configured account"),
    app.showDevFlags,
  );
  setExamples(command, [
    "ably accounts logout",
    "ably accounts logout mycompany",
    "ably accounts logout VgQpOZ",
    "ably accounts logout mycompany --force",
    "ably accounts logout --force --json",
    "ably accounts logout --force --pretty-json",
    "ably accounts logout --all",
  ]);
  command.action((aliasOrId, flags) =>
    app.run(
      "accounts:logout",
      flags,
      async (out) =>
        (await import("./logout-flow.ts")).logout(out, app.env, {
          aliasOrId,
          all: Boolean(flags.all),
          force: Boolean(flags.force),
          oauthHost: flags.oauthHost,
        }),
    )
  );
}
