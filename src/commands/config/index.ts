/**
 * ably config path | ably config show [--reveal]: where the config file is, and
 * what it holds (tokens and API key secrets masked unless --reveal).
 */
import type { Command } from "@commander-js/extra-typings";
import type { App, Env } from "../../cli.ts";
import { CliError } from "../../errors.ts";
import type { Reporter } from "../../output/reporter.ts";
import { withGlobalFlags } from "../global-flags.ts";
import { setExamples } from "../help.ts";
import { configLocation } from "../../config/location.ts";
import { readSnapshot, serializeConfig } from "../../config/store.ts";
import { maskSecrets } from "../../config/mask.ts";

export function registerConfig(program: Command, app: App): void {
  const config = program
    .command("config")
    .description("Manage the Ably CLI config file");

  const path = withGlobalFlags(
    config.command("path").description("Print the path to the Ably CLI config file"),
    app.showDevFlags,
  );
  setExamples(path, ["ably config path", "ably config path --json"]);
  path.action((flags) => app.run("config:path", flags, (out) => printPath(out, app.env)));

  const show = withGlobalFlags(
    config
      .command("show")
      .description("Display the contents of the Ably CLI config file")
      .option("--reveal", "Show access tokens and API key secrets instead of masking them"),
    app.showDevFlags,
  );
  setExamples(show, ["ably config show", "ably config show --json", "ably config show --reveal"]);
  show.action((flags) =>
    app.run("config:show", flags, (out) => showConfig(out, app.env, Boolean(flags.reveal)))
  );
}

function printPath(out: Reporter, env: Env): Promise<void> {
  const { file } = configLocation(env);
  out.result({ config: { path: file } });
  out.print(file);
  return Promise.resolve();
}

async function showConfig(out: Reporter, env: Env, reveal: boolean): Promise<void> {
  const { file } = configLocation(env);
  const snapshot = await readSnapshot(file);
  if (!snapshot) {
    throw new CliError(
      `Config file does not exist at: ${file}\nRun "ably accounts login" to create one.`,
      { component: "configShow", context: { path: file } },
    );
  }
  const contents = reveal ? snapshot.config : maskSecrets(snapshot.config);
  out.result({ config: { exists: true, path: file, contents } });
  out.print(`# Config file: ${file}`);
  out.print();
  out.print((reveal ? snapshot.text : serializeConfig(contents)).replace(/\n$/, ""));
}
