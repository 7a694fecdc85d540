// Takes the config lock and holds it until killed (used to test stale-lock recovery).
import { withFileLock } from "../../src/config/lock.ts";

await withFileLock(Deno.args[0], 1000, async () => {
  console.log("locked");
  setInterval(() => {}, 1000); // keep the process (and the lock) alive until killed
  await new Promise(() => {});
});
