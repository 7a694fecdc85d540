/**
 * ably config path | ably config show [--reveal]: where the config file is, and
 * what it holds (tokens and API key secrets masked unless --reveal).
 */
import type { Command } from "@commander-js/extra-typings";
import type { App } from "../../cli.ts";
import { withGlobalFlags } from "../global-flags.ts";
import { setExamples } from "../help.ts";

export function registerConfig(program: Command, app: App): void {
  const config = program
    .command("config")
    .description("Manage the Ably CLI config file")
    .helpCommand(false);

  const path = withGlobalFlags(
    config.command("path").description("Print the path to the Ably CLI config file"),
    app.showDevFlags,
  );
  setExamples(path, ["ably config path", "ably config path --json"]);
  path.action((flags) =>
    app.run(
      "config:path",
      flags,
      async (out) => (await import("./flow.ts")).printPath(out, app.env),
    )
  );

  const show = withGlobalFlags(
    config
      .command("show")
      .description("Display the contents of the Ably CLI config file")
      .option("--reveal", "Show access tokens and API key secrets instead of masking them"),
    app.showDevFlags,
  );
  setExamples(show, ["ably config show", "ably config show --json", "ably config show --reveal"]);
  show.action((flags) =>
    app.run(
      "config:show",
      flags,
      async (out) => (await import("./flow.ts")).showConfig(out, app.env, Boolean(flags.reveal)),
    )
  );
}
