/**
 * What a command may touch. `Host` is the world outside the process's logic
 * (environment, streams, terminals, network, clock, Ctrl-C); `Context` is what
 * every command's `run(ctx, options)` receives, built once from the host and
 * the validated settings before any command body runs.
 */
import type { Env, Settings } from "./settings.ts";
import type { StoreRegistry } from "./credentials/store.ts";
import type { Accounts } from "./accounts/service.ts";
import type { Reporter } from "./output/reporter.ts";
import type { Prompter } from "./prompt/prompter.ts";

export type { Env, Settings };

export interface Host {
  env: Env;
  /** One line of output on stdout / stderr. */
  stdout(line: string): void;
  stderr(line: string): void;
  /** Raw text on stderr, for spinners. */
  stderrRaw(text: string): void;
  terminal: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** Terminal width (80 when unknown). */
  columns(): number;
  prompter: Prompter;
  fetch: typeof fetch;
  now(): number;
  /** Aborted by the process's single Ctrl-C handler. */
  signal: AbortSignal;
  /** Opens a web address in the user's browser; false when no opener could be started. */
  openBrowser(url: string): Promise<boolean>;
  /**
   * Clean-up that must get its (bounded) chance: while `work` runs, a further Ctrl-C
   * says `what` instead of ending the process.
   */
  shield<T>(what: string, work: Promise<T>): Promise<T>;
  /** The secret stores this run knows (default: `credentials/stores.ts`); tests add theirs. */
  stores?: StoreRegistry;
}

export interface Context {
  settings: Settings;
  /** The accounts of the config, as named operations. */
  accounts: Accounts;
  out: Reporter;
  prompter: Prompter;
  /** Questions may be asked: a terminal to ask on, and not JSON mode. Decided here only. */
  interactive: boolean;
  fetch: typeof fetch;
  now(): number;
  signal: AbortSignal;
  openBrowser(url: string): Promise<boolean>;
  shield<T>(what: string, work: Promise<T>): Promise<T>;
}
