/**
 * Runs the CLI inside the test process through a host the test controls:
 * environment, streams, terminals, prompt answers, fetch, clock and Ctrl-C.
 * The same `run` that `main.ts` calls; only the world around it is a stand-in.
 */
import { run } from "../../src/cli/run.ts";
import type { Host } from "../../src/context.ts";
import {
  type Answer,
  type Choice,
  createPrompter,
  INTERRUPTED,
  type Interrupted,
  type Prompter,
} from "../../src/prompt/prompter.ts";
import { assertNoSecrets, type RunResult } from "./cli.ts";
import { ALL_SECRETS } from "./fixtures.ts";

/** One answer per question, in order: a confirm answer, a choice's index, typed text, or Ctrl-C. */
export type Reply = Answer | number | { type: string } | Interrupted;

export interface InProcessOptions {
  configDir: string;
  env?: Record<string, string>;
  /** Piped standard input (stdin is not a terminal). */
  stdin?: string;
  /** Pretend stdin, stdout and stderr are terminals and answer the questions with these. */
  replies?: Reply[];
  fetch?: typeof fetch;
  now?: () => number;
  /** Aborted like Ctrl-C would abort it; the test may abort it at any moment. */
  interrupt?: AbortController;
  /** Secrets that must never appear in output; the fixtures' tokens by default. */
  secrets?: string[];
}

export interface InProcessResult extends RunResult {
  /** The questions asked, in order. */
  questions: string[];
}

export async function runInProcess(
  argv: string[],
  options: InProcessOptions,
): Promise<InProcessResult> {
  const started = performance.now();
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const interrupt = options.interrupt ?? new AbortController();
  const env: Record<string, string> = {
    HOME: options.configDir,
    ABLY_CLI_CONFIG_DIR: options.configDir,
    NO_COLOR: "1",
    ...options.env,
  };
  const terminal = options.replies !== undefined;
  const host: Host = {
    env: (name) => env[name],
    stdout: (line) => out.push(`${line}\n`),
    stderr: (line) => err.push(`${line}\n`),
    stderrRaw: (text) => err.push(text),
    terminal: { stdin: terminal, stdout: terminal, stderr: terminal },
    columns: () => 80,
    prompter: terminal ? scriptedPrompter(options.replies!, questions) : createPrompter({
      terminal: false,
      stdin: stdinOf(options.stdin ?? ""),
      write: (text) => out.push(text),
      signal: interrupt.signal,
    }),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    now: options.now ?? (() => Date.now()),
    signal: interrupt.signal,
    openBrowser: () => false,
  };
  const code = await run(argv, host);
  const stdout = out.join("");
  const stderr = err.join("");
  assertNoSecrets(stdout + stderr, options.secrets ?? ALL_SECRETS);
  return {
    code,
    stdout,
    stderr,
    elapsedMs: performance.now() - started,
    questions,
    records: () => stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line)),
  };
}

function stdinOf(text: string) {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return {
    read(buffer: Uint8Array): Promise<number | null> {
      if (offset >= bytes.length) return Promise.resolve(null);
      const n = Math.min(buffer.length, bytes.length - offset);
      buffer.set(bytes.subarray(offset, offset + n));
      offset += n;
      return Promise.resolve(n);
    },
  };
}

/** Answers questions from a script; a question the script did not expect fails the test. */
function scriptedPrompter(replies: Reply[], questions: string[]): Prompter {
  const next = (question: string): Reply => {
    questions.push(question);
    if (replies.length === 0) throw new Error(`unexpected question: ${question}`);
    return replies.shift()!;
  };
  return {
    terminal: true,
    confirm(question) {
      const reply = next(question);
      if (reply === INTERRUPTED) return Promise.resolve("interrupted");
      if (typeof reply !== "string") {
        throw new Error(`${question}: expected yes/no, got ${String(reply)}`);
      }
      return Promise.resolve(reply);
    },
    choose<T>(message: string, choices: Choice<T>[]) {
      questions.push(...choices.map((c) => `  ${c.name}`));
      const reply = next(message);
      if (reply === INTERRUPTED) return Promise.resolve(INTERRUPTED);
      if (typeof reply !== "number" || !choices[reply]) {
        throw new Error(`${message}: expected a choice index, got ${String(reply)}`);
      }
      return Promise.resolve(choices[reply].value);
    },
    input(message, options = {}) {
      const reply = next(message);
      if (reply === INTERRUPTED) return Promise.resolve(INTERRUPTED);
      if (typeof reply !== "object") throw new Error(`${message}: expected typed text`);
      const problem = options.validate?.(reply.type.trim());
      if (problem) throw new Error(`${message}: "${reply.type}" refused: ${problem}`);
      return Promise.resolve(reply.type || options.default || "");
    },
  };
}
