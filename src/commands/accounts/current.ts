/** ably accounts current [--json | --pretty-json]: the current account, verified with the Control API. */
import type { Command } from "@commander-js/extra-typings";
import type { App } from "../../cli.ts";
import { withGlobalFlags } from "../global-flags.ts";
import { setExamples } from "../help.ts";

export function registerCurrent(accounts: Command<[], Record<string, unknown>>, app: App): void {
  const command = withGlobalFlags(
    accounts.command("current").description("Show the current Ably account"),
    app.showDevFlags,
  );
  setExamples(command, ["ably accounts current", "ably accounts current --json"]);
  command.action((flags) =>
    app.run(
      "accounts:current",
      flags,
      async (out) => (await import("./current-flow.ts")).current(out, app.env, flags),
    )
  );
}
