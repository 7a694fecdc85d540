/** Flags every accounts command takes, as the official CLI defines them. */
import { type Command, Option } from "@commander-js/extra-typings";

export interface GlobalFlags {
  verbose?: true;
  json?: true;
  prettyJson?: true;
  oauthHost?: string;
  controlHost?: string;
}

// deno-lint-ignore no-explicit-any
export function withGlobalFlags<Args extends any[], Opts extends Record<string, unknown>>(
  command: Command<Args, Opts>,
  showDevFlags: boolean,
) {
  return command
    .option("-v, --verbose", "Output verbose logs")
    .addOption(new Option("--json", "Output in JSON format").conflicts("prettyJson"))
    .addOption(
      new Option("--pretty-json", "Output in colorized JSON format").conflicts("json"),
    )
    .addOption(
      new Option(
        "--oauth-host <host>",
        "Override the host for the OAuth authorization server, which defaults to ably.com",
      ).env("ABLY_OAUTH_HOST").hideHelp(!showDevFlags),
    )
    .addOption(
      new Option(
        "--control-host <host>",
        "Override the host endpoint for the control API, which defaults to control.ably.net",
      ).env("ABLY_CONTROL_HOST").hideHelp(!showDevFlags),
    )
    .addOption(
      new Option("--dashboard-host <host>", "Override the host for the Ably dashboard")
        .env("ABLY_DASHBOARD_HOST").hideHelp(!showDevFlags),
    );
}
