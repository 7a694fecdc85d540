// Sends every kind of request this CLI makes to the server in Deno.args[0] (which
// answers with a huge body), then prints each outcome and this process's peak
// resident memory (VmHWM, Linux) as JSON.
import { revokeToken } from "../../src/oauth/revoke.ts";
import { refreshTokens, requestDeviceCode } from "../../src/oauth/tokens.ts";
import { controlClient } from "../../src/control/api.ts";

const host = Deno.args[0];
const outcome = (p: Promise<unknown>) =>
  p.then(() => "ok", (error: Error) => `failed: ${error.message}`);
const results = {
  revoke: await revokeToken("tok", { host, timeoutMs: 20_000 }),
  refresh: await outcome(refreshTokens(host, "refresh-tok", { timeoutMs: 20_000 })),
  device: await outcome(requestDeviceCode(host, { timeoutMs: 20_000 })),
  control: await outcome(controlClient(host, "tok", { timeoutMs: 20_000 }).me()),
};
const status = await Deno.readTextFile("/proc/self/status");
const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
console.log(JSON.stringify({ results, peakKiB }));
