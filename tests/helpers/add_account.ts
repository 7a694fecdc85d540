// Adds one account to the config in Deno.args[0] through updateConfig, then exits.
// Spawned many times at once to prove concurrent writers lose nothing.
import { updateConfig } from "../../src/config/store.ts";

const [dir, alias] = Deno.args;
await updateConfig({ dir, file: `${dir}/config` }, (config) => {
  config.accounts![alias] = { accountId: alias };
  return { changed: true, value: undefined };
}, { lockTimeoutMs: 30_000 });
