import { openKeychain } from "../src/credentials/os-keychain.ts";
const k = openKeychain("ably-cli-deno-probe");
const step = Deno.args[0];
try { console.log(step, JSON.stringify(step === "set" ? await k.set("x", "v") : step === "get" ? await k.get("x") : await k.delete("x"))); } catch (e) { console.log(step, "ERR", (e as any).kind, (e as Error).message.split("\n")[0]); }
