/**
 * Entry point. The process's only Ctrl-C handler lives here: the first Ctrl-C
 * aborts the signal every command watches (so it can stop cleanly and say what
 * was done); a second one ends the process at once. It is installed when a
 * command first asks for the signal: `--version` and `--help` do not pay for it.
 */
import { processHost } from "./src/cli/host.ts";
import { run } from "./src/cli/run.ts";

const interrupt = new AbortController();
let listening = false;
function ctrlC(): AbortSignal {
  if (!listening) {
    listening = true;
    Deno.addSignalListener("SIGINT", () => {
      if (interrupt.signal.aborted) Deno.exit(130);
      interrupt.abort();
    });
  }
  return interrupt.signal;
}
Deno.exit(await run(Deno.args, processHost(ctrlC)));
