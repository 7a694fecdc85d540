/**
 * Yes/no questions. On a terminal the prompt library draws the question; when
 * stdin is a pipe one line is read from it, so `printf 'y\n' | ably …` works in
 * scripts. The default answer is always "no".
 */

export type Answer = "yes" | "no" | "eof" | "interrupted";

export async function confirm(question: string): Promise<Answer> {
  const interrupted = Promise.withResolvers<Answer>();
  const onSigint = () => interrupted.resolve("interrupted");
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    const answer = Deno.stdin.isTerminal() ? askTerminal(question) : askPipe(question);
    return await Promise.race([answer, interrupted.promise]);
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

async function askTerminal(question: string): Promise<Answer> {
  // Loaded only when a question is asked: it is the heaviest dependency.
  const { confirm } = await import("@inquirer/prompts");
  try {
    const yes = await confirm({
      message: question,
      default: false,
      theme: { style: { defaultAnswer: (text: string) => `[${text}]` } },
    });
    return yes ? "yes" : "no";
  } catch (error) {
    // Ctrl-C (or Ctrl-D) at the prompt ends it with ExitPromptError.
    if ((error as Error).name === "ExitPromptError") return "interrupted";
    throw error;
  }
}

async function askPipe(question: string): Promise<Answer> {
  await Deno.stdout.write(new TextEncoder().encode(`${question} [y/N] `));
  const line = await readLine(Deno.stdin);
  await Deno.stdout.write(new TextEncoder().encode("\n"));
  if (line === undefined) return "eof";
  return isYes(line) ? "yes" : "no";
}

export function isYes(answer: string): boolean {
  const normalised = answer.trim().toLowerCase();
  return normalised === "y" || normalised === "yes";
}

/** One line from a stream, or `undefined` at end of input before any text. */
async function readLine(stream: { read(buffer: Uint8Array): Promise<number | null> }) {
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
