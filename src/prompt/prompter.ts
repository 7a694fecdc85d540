/**
 * Questions to the user. The interface is what commands see (tests hand in a
 * scripted one); `createPrompter` is the real thing: the prompt library on a
 * terminal (loaded only when a question is asked: it is the heaviest
 * dependency), one line read from stdin when it is a pipe, so
 * `printf 'y\n' | ably …` works in scripts.
 *
 * Every way of stopping at a question (Ctrl-C, Esc, Ctrl-D on a terminal) throws
 * the one `Cancelled`; an empty pipe throws `NoAnswer`. A "no" is an answer.
 */
import { Cancelled, NoAnswer, usageError } from "../errors.ts";
import { neutralise } from "../output/terminal.ts";

export interface Choice<T> {
  name: string;
  value: T;
}

/** A heading between groups of choices; it cannot be picked. */
export interface Heading {
  heading: string;
}

export interface Prompter {
  /** stdin and stderr are terminals, so pick lists and typed answers are possible. */
  readonly terminal: boolean;
  /** Yes or no; Enter takes `defaultYes` (no unless said). */
  confirm(question: string, options?: { defaultYes?: boolean }): Promise<boolean>;
  choose<T>(message: string, choices: (Choice<T> | Heading)[], initial?: T): Promise<T>;
  /** Typed text, trimmed; `validate` returns why a value is refused (the question stays). */
  input(
    message: string,
    options?: { default?: string; validate?: (value: string) => string | undefined },
  ): Promise<string>;
  /** Typed text that is not echoed (a token). */
  secret(message: string): Promise<string>;
  /** The first line of standard input, not a question (`--token -`); `undefined` when empty. */
  firstLine(): Promise<string | undefined>;
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
  const readLine = lineReader(io.stdin);
  return {
    terminal: io.terminal,
    async confirm(text, options = {}) {
      // Questions name aliases and accounts from the config: the output layer's rule applies.
      const question = neutralise(text);
      if (!io.terminal) return await askPipe(io, readLine, question, options.defaultYes ?? false);
      const { confirm } = await import("@inquirer/prompts");
      return await asked((context) =>
        confirm({
          message: question,
          default: options.defaultYes ?? false,
          theme: { style: { defaultAnswer: (text: string) => `[${text}]` } },
        }, context)
      );
    },
    async choose(text, choices, initial) {
      const message = neutralise(text);
      const { select, Separator } = await import("@inquirer/prompts");
      const items = choices.map((choice) =>
        "heading" in choice
          ? new Separator(neutralise(choice.heading))
          : { ...choice, name: neutralise(choice.name) }
      );
      return await asked((context) =>
        select({ message, choices: items, default: initial, pageSize: 12 }, context)
      );
    },
    async input(message, options = {}) {
      const { input } = await import("@inquirer/prompts");
      const typed = await asked((context) =>
        input({
          message: neutralise(message),
          default: options.default,
          validate: (value) => options.validate?.(value.trim()) ?? true,
        }, context)
      );
      return typed.trim();
    },
    async secret(message) {
      const { password } = await import("@inquirer/prompts");
      const typed = await asked((context) =>
        password({
          message: neutralise(message),
          mask: false,
          // Said once, in our words (the library's own "[input is masked]" would repeat it), and
          // never revealed on screen: no Ctrl-T to show what was pasted.
          toggleMask: false,
          theme: { style: { maskedText: "(input is hidden)" } },
          validate: (value) => (value.trim() ? true : "Nothing was entered"),
        }, context)
      );
      return typed.trim();
    },
    firstLine: readLine,
  };
}

type PromptContext = { output: NodeJS.WritableStream; signal: AbortSignal };

/**
 * A question on the terminal, drawn on stderr (so `ably … > file` still shows it), that
 * Esc cancels as Ctrl-C and Ctrl-D do. The prompt library reads keys through readline,
 * which emits `keypress` events on stdin; it ends the prompt itself on Ctrl-C (and, on a
 * terminal, on Ctrl-D: readline closes).
 */
async function asked<T>(prompt: (context: PromptContext) => Promise<T>): Promise<T> {
  const { stdin, stderr } = await import("node:process");
  const abort = new AbortController();
  const onKey = (_text: string, key?: { name?: string; ctrl?: boolean }) => {
    if (key?.name === "escape" || (key?.ctrl && key.name === "d")) abort.abort();
  };
  stdin.on("keypress", onKey);
  try {
    return await prompt({ output: stderr, signal: abort.signal });
  } catch (error) {
    // Ctrl-C or Ctrl-D end the prompt with ExitPromptError; Esc (our abort) with AbortPromptError.
    const name = (error as Error).name;
    if (name === "ExitPromptError" || name === "AbortPromptError") throw new Cancelled();
    throw error;
  } finally {
    stdin.off("keypress", onKey);
  }
}

/** The question on stderr and one line from the pipe; Ctrl-C while it is read cancels. */
async function askPipe(
  io: PrompterIo,
  readLine: () => Promise<string | undefined>,
  question: string,
  defaultYes: boolean,
): Promise<boolean> {
  if (io.signal.aborted) throw new Cancelled();
  io.write(`${question} ${defaultYes ? "[Y/n]" : "[y/N]"} `);
  const cancelled = Promise.withResolvers<never>();
  const onAbort = () => cancelled.reject(new Cancelled());
  io.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const line = await Promise.race([readLine(), cancelled.promise]);
    io.write("\n");
    if (line === undefined) throw new NoAnswer();
    const answer = line.trim().toLowerCase();
    if (answer === "") return defaultYes;
    return answer === "y" || answer === "yes";
  } finally {
    io.signal.removeEventListener("abort", onAbort);
  }
}

/** Far above any answer or token (8 KiB at most); a longer line is refused, not read on. */
export const MAX_LINE_BYTES = 16 * 1024;

/**
 * Lines from a stream, read in blocks; what follows a line is kept for the next one. Each
 * is `undefined` at end of input before any text, and decoded leniently (a token checks its
 * own characters).
 */
function lineReader(stream: PrompterIo["stdin"]): () => Promise<string | undefined> {
  let pending = new Uint8Array(0);
  let ended = false;
  return async () => {
    const parts: Uint8Array[] = [];
    let size = 0;
    while (true) {
      const end = pending.indexOf(0x0a);
      const part = end === -1 ? pending : pending.subarray(0, end);
      size += part.length;
      if (size > MAX_LINE_BYTES) {
        throw usageError(
          `A line on standard input is longer than ${
            MAX_LINE_BYTES / 1024
          } KiB; it was not read any further.`,
        );
      }
      parts.push(part);
      if (end !== -1) {
        pending = pending.subarray(end + 1);
        return decode(parts, size);
      }
      pending = new Uint8Array(0);
      if (ended) return size > 0 ? decode(parts, size) : undefined;
      const block = new Uint8Array(4096);
      const n = await stream.read(block);
      if (n === null) ended = true;
      else pending = block.subarray(0, n);
    }
  };
}

function decode(parts: Uint8Array[], size: number): string {
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return new TextDecoder().decode(bytes);
}
