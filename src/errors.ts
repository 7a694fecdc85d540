/**
 * How a failure or a stop travels to `cli/failure.ts`: a `CliError` with what the user is
 * told (and its exit code), the user's own stop (`Cancelled`, `NoAnswer`), and a command
 * handing over to another (`RunInstead`). Every other part throws its own typed error.
 */
import { idUnsafeAll } from "./characters.ts";

/** A failure the CLI reports to the user: message, optional hint and JSON context. */
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

/** What the user typed, fit to quote in a message: control and hidden characters out, bounded. */
export function shown(text: string, max = 100): string {
  const clean = text.replace(idUnsafeAll(), "?");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * The user stopped: Ctrl-C, Esc or Ctrl-D at a question, Ctrl-C while a request or a lock
 * is awaited. The one way any part says so; `cli/run.ts` maps it, once, to exit 130 and
 * the command's own "… cancelled." line (from its tree entry). A "no" is not a cancel.
 */
export class Cancelled extends Error {
  /** `detail`: said after the command's line; `instead`: said in place of it (e.g. "Switched…"). */
  constructor(readonly detail?: string, readonly instead?: string) {
    super(instead ?? detail ?? "cancelled");
    this.name = "Cancelled";
  }
}

/**
 * Standard input ended before a question was answered (an empty pipe): the command
 * stops with its "… cancelled." line, exit 1, and the tree entry's hint (e.g. --force).
 */
export class NoAnswer extends Error {
  constructor() {
    super("No answer was read from standard input.");
    this.name = "NoAnswer";
  }
}

/**
 * A command hands over to another (a switch with no account to switch to offers a login):
 * `cli/run.ts` runs `command` (a tree id) with no options. Not a failure.
 */
export class RunInstead extends Error {
  constructor(readonly command: string) {
    super(`run ${command} instead`);
    this.name = "RunInstead";
  }
}
