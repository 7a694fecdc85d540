/**
 * Questions to the user. The interface is what commands see (tests hand in a
 * scripted one); `createPrompter` is the real thing: the prompt library on a
 * terminal (loaded only when a question is asked: it is the heaviest
 * dependency), one line read from stdin when it is a pipe, so
 * `printf 'y\n' | ably …` works in scripts. Yes/no questions default to no.
 */

import { neutralise } from "../output/terminal.ts";

export const INTERRUPTED = Symbol("interrupted");
export type Interrupted = typeof INTERRUPTED;

/** EOF: stdin ended before an answer (a pipe with nothing in it). */
export type Answer = "yes" | "no" | "eof" | "interrupted";

export interface Choice<T> {
  name: string;
  value: T;
}

export interface Prompter {
  /** stdin and stdout are terminals, so pick lists and typed answers are possible. */
  readonly terminal: boolean;
  confirm(question: string): Promise<Answer>;
  choose<T>(message: string, choices: Choice<T>[], initial?: T): Promise<T | Interrupted>;
  input(
    message: string,
    options?: { default?: string; validate?: (value: string) => string | undefined },
  ): Promise<string | Interrupted>;
}

export interface PrompterIo {
  /** stdin and stderr are terminals: questions are drawn on stderr, so stdout keeps only results. */
  terminal: boolean;
  stdin: { read(buffer: Uint8Array): Promise<number | null> };
  /** Writes the question (to stderr) when stdin is a pipe. */
  write(text: string): void;
  /** The process's Ctrl-C. */
  signal: AbortSignal;
}

export function createPrompter(io: PrompterIo): Prompter {
  return {
    terminal: io.terminal,
    confirm(question) {
      // Questions name aliases and accounts from the config: the output layer's rule applies.
      const shown = neutralise(question);
      return untilInterrupted(io.signal, io.terminal ? askTerminal(shown) : askPipe(io, shown));
    },
    async choose(text, options, initial) {
      const message = neutralise(text);
      const choices = options.map((choice) => ({ ...choice, name: neutralise(choice.name) }));
      const { select } = await import("@inquirer/prompts");
      const { context, done } = await escapable();
      try {
        return await interruptible(() => select({ message, choices, default: initial }, context));
      } finally {
        done();
      }
    },
    async input(message, options = {}) {
      const { input } = await import("@inquirer/prompts");
      const context = await onStderr();
      return await interruptible(() =>
        input({
          message: neutralise(message),
          default: options.default,
          validate: (value) => options.validate?.(value.trim()) ?? true,
        }, context)
      );
    },
  };
}

/** The prompt library draws on stderr: `ably … > file` still shows the question. */
async function onStderr() {
  const { stderr } = await import("node:process");
  return { output: stderr };
}

/**
 * A pick list that Esc cancels like Ctrl-C. The prompt library reads keys through
 * readline, which emits `keypress` events on stdin; a lone Esc aborts the prompt.
 */
async function escapable() {
  const { stdin } = await import("node:process");
  const abort = new AbortController();
  const onKey = (_text: string, key?: { name?: string }) => {
    if (key?.name === "escape") abort.abort();
  };
  stdin.on("keypress", onKey);
  return {
    context: { ...(await onStderr()), signal: abort.signal },
    done: () => void stdin.off("keypress", onKey),
  };
}

async function askTerminal(question: string): Promise<Answer> {
  const { confirm } = await import("@inquirer/prompts");
  const context = await onStderr();
  const yes = await interruptible(() =>
    confirm({
      message: question,
      default: false,
      theme: { style: { defaultAnswer: (text: string) => `[${text}]` } },
    }, context)
  );
  return yes === INTERRUPTED ? "interrupted" : yes ? "yes" : "no";
}

async function askPipe(io: PrompterIo, question: string): Promise<Answer> {
  io.write(`${question} [y/N] `);
  const line = await readLine(io.stdin);
  io.write("\n");
  if (line === undefined) return "eof";
  return isYes(line) ? "yes" : "no";
}

function isYes(answer: string): boolean {
  const normalised = answer.trim().toLowerCase();
  return normalised === "y" || normalised === "yes";
}

/** Ctrl-C while a pipe is read (the prompt library handles it itself on a terminal). */
function untilInterrupted(signal: AbortSignal, answer: Promise<Answer>): Promise<Answer> {
  if (signal.aborted) return Promise.resolve("interrupted");
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve("interrupted");
    signal.addEventListener("abort", onAbort, { once: true });
    answer.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

async function interruptible<T>(prompt: () => Promise<T>): Promise<T | Interrupted> {
  try {
    return await prompt();
  } catch (error) {
    // Ctrl-C (or Ctrl-D) at the prompt ends it with ExitPromptError; Esc with AbortPromptError.
    const name = (error as Error).name;
    if (name === "ExitPromptError" || name === "AbortPromptError") return INTERRUPTED;
    throw error;
  }
}

/** One line from a stream, or `undefined` at end of input before any text. */
async function readLine(stream: PrompterIo["stdin"]): Promise<string | undefined> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(1);
  let text = "";
  let sawInput = false;
  // Byte by byte, so nothing after the answer is consumed.
  while (true) {
    const n = await stream.read(buffer);
    if (n === null) return sawInput ? text : undefined;
    sawInput = true;
    const char = decoder.decode(buffer.subarray(0, n), { stream: true });
    if (char === "\n") return text;
    text += char;
  }
}
