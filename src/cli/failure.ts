/**
 * Turns whatever a command threw into what the user sees and the exit code: the
 * one place where "the user stopped" (`Cancelled`, `NoAnswer`) becomes the
 * command's own "… cancelled." line, and every other failure a `CliError`.
 * Loaded only on failure.
 */
import { Cancelled, CliError, ExitCode, NoAnswer } from "../errors.ts";
import { ConfigError } from "../config/errors.ts";
import { ControlApiError } from "../control/errors.ts";
import { StoreError } from "../credentials/store.ts";
import { SessionEnded } from "../accounts/errors.ts";
import type { Reporter } from "../output/reporter.ts";
import type { CommandSpec } from "../commands/spec.ts";

/** Reports `error` for `command`; returns the exit code. */
export function reportFailure(out: Reporter, command: CommandSpec, error: unknown): number {
  const line = command.cancelled ?? "Cancelled.";
  if (error instanceof Cancelled) {
    out.warning(error.instead ?? (error.detail ? `${line} ${error.detail}` : line));
    return ExitCode.Interrupted;
  }
  const cliError = error instanceof NoAnswer
    ? new CliError(line, {
      component: "prompt",
      hint: `${error.message}${command.noAnswer ? ` ${command.noAnswer}` : ""}`,
    })
    : toCliError(error, command.component);
  out.error(cliError);
  return cliError.exitCode;
}

/** Any failure as the CLI reports it; `component` names the command's own failures. */
export function toCliError(error: unknown, component = "cli"): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof StoreError) {
    return new CliError(error.message, {
      component: "credentials",
      context: { problem: error.problem, accounts: error.accounts },
      cause: error,
    });
  }
  if (error instanceof SessionEnded) {
    return new CliError(error.message, { component: "session", cause: error });
  }
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
  return new CliError(message, { component, cause: error });
}
