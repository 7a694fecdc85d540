/** Turns whatever a command threw into the error the CLI reports. Loaded only on failure. */
import { CliError, ExitCode } from "../errors.ts";
import { ConfigError, LockWaitAborted } from "../config/errors.ts";
import { ControlApiError } from "../control/errors.ts";

/** Any failure as the CLI reports it. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  // Ctrl-C while waiting for another process's lock: nothing was changed.
  if (error instanceof LockWaitAborted) {
    return new CliError(error.message, {
      component: "config",
      exitCode: ExitCode.Interrupted,
      context: { path: error.path },
    });
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
  return new CliError(message, { component: "cli", cause: error });
}
