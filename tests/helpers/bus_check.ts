// Opens the keychain through openKeychain with its own session-bus check (the default) and a
// scripted binding, and prints what happened as JSON: {"opened": true} or {"problem": "…"}.
// Spawned with DBUS_SESSION_BUS_ADDRESS as each test needs it: the check reads the process's
// environment, which a test must not change for the others running beside it.
import { openKeychain } from "../../src/credentials/os-keychain.ts";
import { StoreError } from "../../src/credentials/store.ts";
import { bindingScript, fakeBinding } from "./fake-keychain.ts";

try {
  await openKeychain("ably-cli-deno", () => Promise.resolve(fakeBinding(bindingScript())));
  console.log(JSON.stringify({ opened: true }));
} catch (error) {
  if (!(error instanceof StoreError)) throw error;
  console.log(JSON.stringify({ kind: error.problem, problem: error.message }));
}
