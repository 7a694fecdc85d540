// Takes the config lock and holds it until killed, as an update doing something long would
// (a request, an access dialog): its heartbeat on. Used to test waits and stale-lock recovery.
import { withFileLock } from "../../src/config/lock.ts";

await withFileLock(Deno.args[0], 1000, async (held) => {
  held.keepAlive();
  console.log("locked");
  setInterval(() => {}, 1000); // keep the process (and the lock) alive until killed
  await new Promise(() => {});
});
