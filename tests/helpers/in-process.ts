/**
 * Runs the CLI inside the test process through a host the test controls:
 * environment, streams, terminals, prompt answers, fetch, clock and Ctrl-C.
 * The same `run` that `main.ts` calls; only the world around it is a stand-in.
 */
import { run } from "../../src/cli/run.ts";
import type { Host } from "../../src/context.ts";
import type { SecretItems } from "../../src/credentials/store.ts";
import { STORES } from "../../src/credentials/stores.ts";
import { osKeychain } from "../../src/credentials/os-keychain.ts";
import { MemoryItems, memoryStore } from "./memory-store.ts";
import {
  type Choice,
  createPrompter,
  type Heading,
  type Prompter,
} from "../../src/prompt/prompter.ts";
import { Cancelled } from "../../src/errors.ts";
import { isLoopback } from "../../src/http.ts";
import { assertNoSecrets, type RunResult } from "./cli.ts";
import { RUN_DEADLINE_MS, withDeadline } from "./deadline.ts";
import { ALL_SECRETS } from "./fixtures.ts";

/** Ctrl-C, Esc or Ctrl-D at a question: the prompter throws `Cancelled`. */
export const CANCEL = Symbol("cancel");

type Answer = "yes" | "no" | number | { type: string } | typeof CANCEL;

/**
 * One answer per question, in order: yes/no, a choice's index, typed text, or CANCEL; or a
 * function that does something while the question is open, then answers. Typed text the
 * question refuses leaves it open: the next reply answers it again.
 */
export type Reply = Answer | (() => Promise<Answer>);

export interface InProcessOptions {
  configDir: string;
  env?: Record<string, string>;
  /** Piped standard input (stdin is not a terminal): text, or bytes as they are. */
  stdin?: string | Uint8Array;
  /** Pretend stdin, stdout and stderr are terminals and answer the questions with these. */
  replies?: Reply[];
  /** The terminals' width (with `replies`); 80 by default. */
  columns?: number;
  fetch?: typeof fetch;
  now?: () => number;
  /** Aborted like Ctrl-C would abort it; the test may abort it at any moment. */
  interrupt?: AbortController;
  /** Secrets that must never appear in output; the fixtures' tokens by default. */
  secrets?: string[];
  /** The OS keychain's items; without them, any use of the keychain fails as on a headless machine. */
  keychain?: SecretItems;
  /** The items of the tests' own store, `memory`. */
  memory?: MemoryItems;
  /** Stdout breaks (EPIPE, as when its reader went away) at the first line containing this. */
  stdoutBreaksAt?: string;
}

export interface InProcessResult extends RunResult {
  /** The questions asked, in order (with a pick list's choices; " (Y/n)" after a yes/no whose default is yes). */
  questions: string[];
  /** Every host a request was sent to, in order; only loopback hosts are really reached. */
  hosts: string[];
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
  const hosts: string[] = [];
  const realFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const host: Host = {
    env: (name) => env[name],
    stdout: (line) => {
      if (options.stdoutBreaksAt !== undefined && line.includes(options.stdoutBreaksAt)) {
        throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
      }
      out.push(`${line}\n`);
    },
    stderr: (line) => err.push(`${line}\n`),
    stderrRaw: (text) => err.push(text),
    terminal: { stdin: terminal, stdout: terminal, stderr: terminal },
    columns: () => options.columns ?? 80,
    prompter: terminal ? scriptedPrompter(options.replies!, questions) : createPrompter({
      terminal: false,
      stdin: stdinOf(options.stdin ?? ""),
      write: (text) => err.push(text),
      signal: interrupt.signal,
    }),
    // Hermetic: nothing leaves the machine, whatever host a test forgets to override.
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      hosts.push(url.host);
      return isLoopback(url.hostname)
        ? realFetch(input, init)
        : Promise.reject(new TypeError(`tests reach loopback hosts only, not ${url.host}`));
    },
    now: options.now ?? (() => Date.now()),
    signal: interrupt.signal,
    openBrowser: () => Promise.resolve(false),
    shield: (_what, work) => work,
    stores: {
      ...STORES,
      // The OS keychain's own store, its items in memory: never the real keychain in-process.
      keychain: () =>
        Promise.resolve(
          osKeychain(() =>
            options.keychain ? Promise.resolve(options.keychain) : Promise.reject(
              new Error("Couldn't access platform storage: no keychain in this test"),
            )
          ),
        ),
      // A store of the tests' own, registered as any store is.
      memory: () => Promise.resolve(memoryStore(options.memory ?? new MemoryItems())),
    },
  };
  // A run that hangs fails its test, naming the command, instead of timing out CI.
  const code = await withDeadline(RUN_DEADLINE_MS, `ably ${argv.join(" ")}`, run(argv, host));
  const stdout = out.join("");
  const stderr = err.join("");
  assertNoSecrets(stdout + stderr, options.secrets ?? ALL_SECRETS);
  return {
    code,
    stdout,
    stderr,
    elapsedMs: performance.now() - started,
    questions,
    hosts,
    records: () => stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line)),
  };
}

function stdinOf(input: string | Uint8Array) {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
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
  const next = async (question: string) => {
    if (replies.length === 0) throw new Error(`unexpected question: ${question}`);
    const reply = replies.shift()!;
    const answer = typeof reply === "function" ? await reply() : reply;
    if (answer === CANCEL) throw new Cancelled();
    return answer;
  };
  return {
    terminal: true,
    async confirm(question, options = {}) {
      // A question Enter answers with yes is recorded as a terminal shows it.
      questions.push(options.defaultYes ? `${question} (Y/n)` : question);
      const reply = await next(question);
      if (reply !== "yes" && reply !== "no") {
        throw new Error(`${question}: expected yes/no, got ${String(reply)}`);
      }
      return reply === "yes";
    },
    // The index counts the choices only; headings are listed as they are.
    async choose<T>(message: string, items: (Choice<T> | Heading)[]) {
      questions.push(message, ...items.map((c) => "heading" in c ? c.heading : `  ${c.name}`));
      const choices = items.filter((c): c is Choice<T> => !("heading" in c));
      const reply = await next(message);
      if (typeof reply !== "number" || !choices[reply]) {
        throw new Error(`${message}: expected a choice index, got ${String(reply)}`);
      }
      return choices[reply].value;
    },
    async input(message, options = {}) {
      questions.push(message);
      while (true) {
        const reply = await next(message);
        if (typeof reply !== "object") throw new Error(`${message}: expected typed text`);
        // As the prompt library: Enter on an empty line takes the default, which is validated too.
        const value = (reply.type || options.default || "").trim();
        const problem = options.validate?.(value);
        if (!problem) return value;
        questions.push(`  refused "${value}": ${problem}`);
      }
    },
    async secret(message) {
      questions.push(message);
      const reply = await next(message);
      if (typeof reply !== "object") throw new Error(`${message}: expected typed text`);
      return reply.type.trim();
    },
    firstLine: () => Promise.resolve(undefined),
  };
}
