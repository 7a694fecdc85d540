/** The real host: this process's environment, streams, terminals, network, clock and Ctrl-C. */
import type { Host } from "../context.ts";
import { createPrompter } from "../prompt/prompter.ts";

/**
 * `ctrlC()`: the signal the process's Ctrl-C handler aborts (installing it on first use);
 * `shield`: the handler's way to let a clean-up finish.
 */
export function processHost(ctrlC: () => AbortSignal, shield: Host["shield"]): Host {
  const encoder = new TextEncoder();
  const terminal = {
    stdin: Deno.stdin.isTerminal(),
    stdout: Deno.stdout.isTerminal(),
    stderr: Deno.stderr.isTerminal(),
  };
  return {
    env,
    stdout: (line) => console.log(line),
    stderr: (line) => console.error(line),
    stderrRaw: (text) => Deno.stderr.writeSync(encoder.encode(text)),
    terminal,
    columns: consoleColumns,
    prompter: createPrompter({
      terminal: terminal.stdin && terminal.stderr,
      stdin: Deno.stdin,
      write: (text) => Deno.stderr.writeSync(encoder.encode(text)),
      get signal() {
        return ctrlC();
      },
    }),
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    get signal() {
      return ctrlC();
    },
    shield,
    // Loaded only when a login opens a browser.
    openBrowser: async (url) => (await import("../platform/browser.ts")).openBrowser(url),
  };
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // not granted: behave as if unset
  }
}

function consoleColumns(): number {
  try {
    const { columns } = Deno.consoleSize();
    return columns >= 40 ? columns : 80; // some terminals report 0
  } catch {
    return 80;
  }
}
