/**
 * ably accounts switch [ACCOUNT_ALIAS_OR_ID] [--json | --pretty-json]
 *
 * Switch to a different Ably account (the flow itself is in switch-flow.ts).
 */
import { type Command, Option } from "@commander-js/extra-typings";
import type { App } from "../../cli.ts";
import { withGlobalFlags } from "../global-flags.ts";
import { setExamples } from "../help.ts";

export function registerSwitch(accounts: Command<[], Record<string, unknown>>, app: App): void {
  const command = withGlobalFlags(
    accounts
      .command("switch")
      .description("Switch to a different Ably account")
      .argument("[accountAliasOrId]", "Alias or ID of the account to switch to")
      .addOption(
        new Option("--endpoint <host>", "Set a custom endpoint for all product API calls")
          .hideHelp(!app.showDevFlags),
      ),
    app.showDevFlags,
  );
  setExamples(command, [
    "ably accounts switch",
    "ably accounts switch mycompany",
    "ably accounts switch VgQpOZ --json",
  ]);
  command.action((aliasOrId, flags) =>
    app.run(
      "accounts:switch",
      flags,
      async (out) =>
        (await import("./switch-flow.ts")).switchAccount(out, app.env, aliasOrId, flags),
    )
  );
}
