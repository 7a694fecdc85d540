/** A failure the CLI reports to the user: message, optional hint and JSON context. */
import { ConfigError } from "./config/errors.ts";
import { ControlApiError } from "./control/errors.ts";
export class CliError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  readonly component?: string;
  readonly context: Record<string, unknown>;
  /** Ably error code and HTTP status, when the failure came from an Ably API. */
  readonly code?: number;
  readonly statusCode?: number;

  constructor(
    message: string,
    options: {
      exitCode?: number;
      hint?: string;
      component?: string;
      context?: Record<string, unknown>;
      code?: number;
      statusCode?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "CliError";
    this.exitCode = options.exitCode ?? ExitCode.Failure;
    this.hint = options.hint;
    this.component = options.component;
    this.context = options.context ?? {};
    this.code = options.code;
    this.statusCode = options.statusCode;
  }
}

export const ExitCode = {
  Success: 0,
  Failure: 1,
  Usage: 2,
  Interrupted: 130,
} as const;

/** Wrong flags or arguments: exit 2, with a pointer to the help. */
export function usageError(message: string, context?: Record<string, unknown>): CliError {
  return new CliError(message, {
    exitCode: ExitCode.Usage,
    hint: "See more help with --help",
    component: "usage",
    context,
  });
}

/** Any failure as the CLI reports it. */
export function toCliError(error: unknown): CliError {
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
