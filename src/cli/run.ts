/**
 * One run of the CLI: parse argv against the tree, answer help and version,
 * build the context (settings validated first), load and run the command, and
 * turn every outcome into output and an exit code. Nothing here exits the
 * process; `main.ts` does, with the code returned.
 */
import denoJson from "../../deno.json" with { type: "json" };
import type { Context, Host } from "../context.ts";
import { ExitCode, RunInstead, usageError } from "../errors.ts";
import { createReporter, type Format, type Reporter } from "../output/reporter.ts";
import { formatHelp, printListing } from "./help.ts";
import { parse } from "./parse.ts";
import type { CommandSpec, Options } from "../commands/spec.ts";
import type { GlobalOptions } from "../commands/flags.ts";
import { COMMANDS, tree } from "./tree.ts";
import { load } from "./load.ts";

export const VERSION: string = denoJson.version;

export async function run(argv: string[], host: Host): Promise<number> {
  const showDevFlags = host.env("ABLY_SHOW_DEV_FLAGS") === "true";
  const parsed = parse(tree, argv, showDevFlags);
  if (parsed.kind === "version") {
    host.stdout(VERSION);
    return ExitCode.Success;
  }
  if (parsed.kind === "help") {
    const columns = host.terminal.stdout ? host.columns() : Infinity;
    host.stdout(formatHelp(parsed.node, showDevFlags, columns));
    return ExitCode.Success;
  }
  const options: Options = parsed.kind === "error" ? {} : parsed.options;
  // The flags every command may have, typed from their declaration (commands/flags.ts).
  const global: GlobalOptions = options;
  // A usage error is reported in the format asked for, even though the flags did not parse.
  const out = reporterFor(host, parsed.node.id, formatOf(global, argv), Boolean(global.verbose));
  let code: number;
  if (parsed.kind === "error") {
    out.error(usageError(parsed.message));
    code = ExitCode.Usage;
  } else if (parsed.kind === "listing") {
    printListing(out, parsed.node);
    code = ExitCode.Success;
  } else {
    try {
      // Settings pull in the config, HTTP and OAuth modules: only for commands that run.
      const { readSettings } = await import("../settings.ts");
      const { accountsService } = await import("../accounts/service.ts");
      const stores = host.stores ?? (await import("../credentials/stores.ts")).STORES;
      const settings = readSettings(host.env, global, Object.keys(stores));
      out.protect([settings.accessToken]);
      const { signal } = host;
      const ctx: Context = {
        settings,
        accounts: accountsService({
          settings,
          out,
          signal,
          fetch: host.fetch,
          now: host.now,
          stores,
          shield: host.shield,
        }),
        out,
        prompter: host.prompter,
        interactive: !out.json && host.prompter.terminal,
        fetch: host.fetch,
        now: host.now,
        signal,
        openBrowser: host.openBrowser,
        shield: host.shield,
      };
      await runCommand(ctx, parsed.node, options);
      code = ExitCode.Success;
      // Ctrl-C while a command that says so finished what it had started (a logout
      // revoking): it said what it did; the exit code says it was interrupted.
      if (signal.aborted && parsed.node.interrupted) {
        out.warning(parsed.node.interrupted);
        code = ExitCode.Interrupted;
      }
    } catch (error) {
      if (parsed.node.silent) return ExitCode.Success;
      const { reportFailure } = await import("./failure.ts");
      code = reportFailure(out, parsed.node, error);
    }
  }
  out.completed(code);
  return code;
}

/** Runs `node`, or the command it hands over to (with no options of its own). */
async function runCommand(ctx: Context, node: CommandSpec, options: Options): Promise<void> {
  try {
    await (await load(node)).run(ctx, options, tree);
  } catch (error) {
    if (!(error instanceof RunInstead)) throw error;
    const next = COMMANDS.find((command) => command.id === error.command);
    if (!next) throw error;
    await (await load(next)).run(ctx, {}, tree);
  }
}

function formatOf(options: GlobalOptions, argv: string[]): Format {
  const end = argv.includes("--") ? argv.indexOf("--") : undefined;
  const words = argv.slice(0, end);
  if (options.json || words.includes("--json")) return "json";
  if (options.prettyJson || words.includes("--pretty-json")) return "pretty-json";
  return "human";
}

function reporterFor(host: Host, command: string, format: Format, verbose: boolean): Reporter {
  const forceColor = host.env("FORCE_COLOR");
  const forced = forceColor !== undefined && forceColor !== "0";
  return createReporter({
    command,
    format,
    verbose,
    // FORCE_COLOR wins over NO_COLOR, as in Deno.
    color: forced || (!host.env("NO_COLOR") && host.terminal.stdout),
    stderrColor: forced || (!host.env("NO_COLOR") && host.terminal.stderr),
    jsonColor: host.terminal.stdout && !host.env("NO_COLOR"),
    animate: host.terminal.stderr,
    columns: host.terminal.stderr ? host.columns() : 80,
    wrapWarnings: host.terminal.stderr,
    stdoutColumns: host.terminal.stdout ? host.columns() : undefined,
    stderrColumns: host.terminal.stderr ? host.columns() : undefined,
    stdout: host.stdout,
    stderr: host.stderr,
    stderrRaw: host.stderrRaw,
  });
}
