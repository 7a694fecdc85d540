/**
 * Entry point. The process's only Ctrl-C handler lives here: the first Ctrl-C
 * aborts the signal every command watches (so it can stop cleanly and say what
 * was done); a second one ends the process at once, unless a clean-up that must
 * run is under way (a login revoking the tokens it was issued): then it says so,
 * and the clean-up, bounded by its own time-out, finishes first. It is installed
 * when a command first asks for the signal: `--version` and `--help` do not pay for it.
 */
import denoJson from "./deno.json" with { type: "json" };

// `ably --version` alone answers before the CLI's modules are evaluated (a third of its time).
if (Deno.args.length === 1 && Deno.args[0] === "--version") {
  Deno.stdout.writeSync(new TextEncoder().encode(`${denoJson.version}\n`));
  Deno.exit(0);
}
const { processHost } = await import("./src/cli/host.ts");
const { run } = await import("./src/cli/run.ts");

const interrupt = new AbortController();
const shielded: string[] = [];
let listening = false;
function ctrlC(): AbortSignal {
  if (!listening) {
    listening = true;
    Deno.addSignalListener("SIGINT", () => {
      if (!interrupt.signal.aborted) return interrupt.abort();
      if (shielded.length === 0) Deno.exit(130);
      Deno.stderr.writeSync(new TextEncoder().encode(`\n${shielded[0]}\n`));
    });
  }
  return interrupt.signal;
}
async function shield<T>(what: string, work: Promise<T>): Promise<T> {
  ctrlC();
  shielded.push(what);
  try {
    return await work;
  } finally {
    shielded.splice(shielded.indexOf(what), 1);
  }
}
Deno.exit(await run(Deno.args, processHost(ctrlC, shield)));
