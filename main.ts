/**
 * Entry point. The process's only Ctrl-C handler lives here: the first Ctrl-C
 * aborts the signal every command watches (so it can stop cleanly and say what
 * was done); a second one ends the process at once.
 */
import { processHost } from "./src/cli/host.ts";
import { run } from "./src/cli/run.ts";

const interrupt = new AbortController();
Deno.addSignalListener("SIGINT", () => {
  if (interrupt.signal.aborted) Deno.exit(130);
  interrupt.abort();
});
Deno.exit(await run(Deno.args, processHost(interrupt.signal)));
