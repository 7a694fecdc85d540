/** ably accounts list [--json | --pretty-json]: the accounts in the config, no network. */
import type { Command } from "@commander-js/extra-typings";
import type { App } from "../../cli.ts";
import { withGlobalFlags } from "../global-flags.ts";
import { setExamples } from "../help.ts";

export function registerList(accounts: Command<[], Record<string, unknown>>, app: App): void {
  const command = withGlobalFlags(
    accounts.command("list").description("List locally configured Ably accounts"),
    app.showDevFlags,
  );
  setExamples(command, ["ably accounts list", "ably accounts list --json"]);
  command.action((flags) =>
    app.run(
      "accounts:list",
      flags,
      async (out) => (await import("./list-flow.ts")).list(out, app.env),
    )
  );
}
