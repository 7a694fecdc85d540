/**
 * ably accounts login [--alias ALIAS] [--no-browser] [--token [TOKEN]] [--json | --pretty-json]
 *
 * Log in to your Ably account (the flow itself is in login-flow.ts).
 */
import { type Command, Option } from "@commander-js/extra-typings";
import type { App } from "../../cli.ts";
import { withGlobalFlags } from "../global-flags.ts";
import { setExamples } from "../help.ts";

export const LOGIN_DESCRIPTION = "Log in to your Ably account";

/** Adds the login flags to `command` (shared by `ably accounts login` and `ably login`). */
export function defineLogin<C extends Command<[], Record<string, unknown>>>(
  command: C,
  app: App,
  id: string,
) {
  const defined = withGlobalFlags(
    command
      .option("-a, --alias <alias>", "Alias for this account (default account if not specified)")
      .option("--no-browser", "Do not open a browser")
      .option(
        "--token [token]",
        "Log in with an existing access token instead of the browser (default: $ABLY_ACCESS_TOKEN)",
      )
      .addOption(
        new Option("--endpoint <host>", "Set a custom endpoint for all product API calls")
          .hideHelp(!app.showDevFlags),
      )
      .addOption(new Option("--skip-logo", "Do not print the logo").hideHelp()),
    app.showDevFlags,
  );
  defined.action((flags) =>
    app.run(id, flags, async (out) => (await import("./login-flow.ts")).login(out, app.env, flags))
  );
  return defined;
}

export function registerLogin(accounts: Command<[], Record<string, unknown>>, app: App): void {
  const command = defineLogin(
    accounts.command("login").description(LOGIN_DESCRIPTION),
    app,
    "accounts:login",
  );
  setExamples(command, [
    "ably accounts login",
    "ably accounts login --alias mycompany",
    "ably accounts login --no-browser",
    "ABLY_ACCESS_TOKEN=... ably accounts login --token --json",
    "ably accounts login --json",
  ]);
}
