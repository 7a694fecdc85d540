/**
 * Builds the command tree, parses argv and turns every outcome (result, error,
 * usage error, help) into output and an exit code. Commands themselves never
 * exit the process.
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import denoJson from "../deno.json" with { type: "json" };
import { CliError, ExitCode, usageError } from "./errors.ts";
import { ConfigError } from "./config/errors.ts";
import { ControlApiError } from "./control/errors.ts";
import { commandPath, formatHelp } from "./commands/help.ts";
import type { GlobalFlags } from "./commands/global-flags.ts";
import { createReporter, type Format, type Reporter } from "./output/reporter.ts";
import { registerAccounts } from "./commands/accounts/index.ts";
import { registerConfig } from "./commands/config/index.ts";
import { registerCompletions } from "./commands/completions.ts";

export type Env = (name: string) => string | undefined;

/** What a command's action gets from the CLI around it. */
export interface App {
  env: Env;
  showDevFlags: boolean;
  /** Runs a command body with a reporter made from its flags; records the exit code. */
  run(
    id: string,
    flags: GlobalFlags,
    body: (out: Reporter) => Promise<number | void>,
  ): Promise<void>;
}

export const VERSION: string = denoJson.version;

export async function run(argv: string[], env: Env = safeEnv): Promise<number> {
  let exitCode: number = ExitCode.Success;
  const jsonFormat = formatFromArgv(argv);

  const app: App = {
    env,
    showDevFlags: env("ABLY_SHOW_DEV_FLAGS") === "true",
    async run(id, flags, body) {
      const out = reporterFor(
        id,
        flags.json ? "json" : flags.prettyJson ? "pretty-json" : "human",
        {
          verbose: Boolean(flags.verbose),
          env,
        },
      );
      exitCode = await runBody(out, body);
      out.completed(exitCode);
    },
  };

  const program = new Command("ably")
    .description("Ably command-line tool: account commands")
    .version(VERSION, "--version", "Show the CLI version")
    .helpOption("-h, --help", "Show CLI help")
    .helpCommand(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => console.log(text.replace(/\n$/, "")),
      // Only help shown for a bare command group goes here: it is the answer, so stdout.
      writeErr: (text) => console.log(text.replace(/\n$/, "")),
      outputError: () => {}, // rendered by handleParseError instead
    })
    .configureHelp({ formatHelp })
    // Extra positional arguments are reported by the hook below, naming them.
    .allowExcessArguments(true)
    .hook("preAction", (_program, command) => {
      if (command.name() === "accounts") return; // the topic suggests a subcommand instead
      const extra = command.args.slice(command.registeredArguments.length);
      if (extra.length) {
        const plural = extra.length > 1 ? "s" : "";
        throw new CommanderError(
          ExitCode.Usage,
          "commander.excessArguments",
          `Unexpected argument${plural}: ${extra.join(", ")}`,
        );
      }
    });
  registerAccounts(program, app);
  registerConfig(program, app);
  registerCompletions(program, app);

  if (argv.length === 0) {
    program.outputHelp();
    return ExitCode.Success;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (
      error.code === "commander.helpDisplayed" || error.code === "commander.version" ||
      error.code === "commander.help"
    ) {
      return ExitCode.Success;
    }
    const id = commandIdFromArgv(program, argv);
    const out = reporterFor(id, jsonFormat, { verbose: false, env });
    // A word that lands in the wrong place next to --token may be the token itself.
    const secretNearby = argv.includes("--token") || /(^|:)login$/.test(id);
    out.error(usageError(describeParseError(error, id, secretNearby)));
    out.completed(ExitCode.Usage);
    return ExitCode.Usage;
  }
  return exitCode;
}

async function runBody(
  out: Reporter,
  body: (out: Reporter) => Promise<number | void>,
): Promise<number> {
  try {
    return (await body(out)) ?? ExitCode.Success;
  } catch (error) {
    const cliError = toCliError(error);
    out.error(cliError);
    return cliError.exitCode;
  }
}

function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ConfigError) {
    return new CliError(error.message, { component: "config", context: { path: error.path } });
  }
  if (error instanceof ControlApiError) {
    // As the official CLI: the API's own error code and help link travel with the message.
    return new CliError(error.message, {
      component: "controlApi",
      context: {
        ...(error.errorCode !== undefined ? { errorCode: error.errorCode } : {}),
        ...(error.helpUrl !== undefined ? { helpUrl: error.helpUrl } : {}),
      },
      code: error.errorCode,
      statusCode: error.statusCode,
      hint: error.errorCode === 40101
        ? 'Check your API key or token, or re-authenticate with "ably login".'
        : undefined,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(message, { component: "cli", cause: error });
}

function reporterFor(
  command: string,
  format: Format,
  { verbose, env }: { verbose: boolean; env: Env },
): Reporter {
  const stdoutTty = Deno.stdout.isTerminal();
  const forceColor = env("FORCE_COLOR");
  const stderrTty = Deno.stderr.isTerminal();
  return createReporter({
    command,
    format,
    verbose,
    color: !Deno.noColor && (stdoutTty || (forceColor !== undefined && forceColor !== "0")),
    // As the issue asks of --pretty-json: a terminal, and NO_COLOR unset (FORCE_COLOR aside).
    jsonColor: stdoutTty && !env("NO_COLOR"),
    animate: stderrTty,
    columns: stderrTty ? consoleColumns() : 80,
  });
}

function consoleColumns(): number {
  try {
    const { columns } = Deno.consoleSize();
    return columns >= 40 ? columns : 80; // some terminals report 0
  } catch {
    return 80;
  }
}

/** JSON mode is known before parsing, so even a bad flag gets a JSON error record. */
function formatFromArgv(argv: string[]): Format {
  const flags = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : undefined);
  if (flags.includes("--json")) return "json";
  if (flags.includes("--pretty-json")) return "pretty-json";
  return "human";
}

/** The id (`accounts:logout`) of the deepest command the argv names. */
function commandIdFromArgv(program: Command, argv: string[]): string {
  let command: Command = program as unknown as Command;
  const path: string[] = [];
  for (const token of argv) {
    if (token.startsWith("-")) continue;
    const sub = command.commands.find((c) => c.name() === token || c.aliases().includes(token));
    if (!sub) break;
    command = sub as unknown as Command;
    path.push(sub.name());
  }
  return path.length ? path.join(":") : commandPath(program).replace(/^ably ?/, "") || "ably";
}

/** Commander's messages, rewritten in the official CLI's words. */
function describeParseError(
  error: CommanderError,
  commandId: string,
  hideValues: boolean,
): string {
  const quoted = [...error.message.matchAll(/'([^']+)'/g)].map((m) => m[1]);
  if (hideValues) {
    if (error.code === "commander.unknownOption") {
      return "Nonexistent flag (not shown, in case it is a token)";
    }
    if (error.code === "commander.excessArguments") {
      return error.message.replace(/:.*$/, " (not shown, in case it is a token)");
    }
  }
  const suggestion = error.message.match(/\(Did you mean ([^?]+)\?\)/)?.[1];
  const didYouMean = suggestion ? `\nDid you mean ${suggestion}?` : "";
  switch (error.code) {
    case "commander.unknownOption":
      return `Nonexistent flag: ${quoted[0]}${didYouMean}`;
    case "commander.conflictingOption": {
      const [a, b] = quoted.map((flag) => flag.split(/[ ,]+/).pop()!);
      return `The following errors occurred:\n  ${b}=true cannot also be provided when using ${a}\n  ${a}=true cannot also be provided when using ${b}`;
    }
    case "commander.invalidArgument":
      return error.message.replace(
        /^error: command-argument value '([^']*)' is invalid for argument '([^']*)'\. Allowed choices are (.*)\.$/,
        'Unknown $2 "$1": use one of $3.',
      );
    case "commander.optionMissingArgument":
      return `Flag ${quoted[0]?.split(/[ ,]+/).find((p) => p.startsWith("--"))} expects a value`;
    case "commander.unknownCommand": {
      const parent = commandId === "ably" ? "" : `${commandId.replaceAll(":", " ")} `;
      return `Command "${parent}${quoted[0]}" not found.` +
        (suggestion ? ` Did you mean "${parent}${suggestion}"?` : "");
    }
    default:
      return error.message.replace(/^error: /, "");
  }
}

function safeEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // not granted: behave as if unset
  }
}
