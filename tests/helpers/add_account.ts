// Adds accounts to the config in Deno.args[0] through updateConfig, all at once (each update
// opens and locks config.lock on its own), then exits. Spawned several times at once to prove
// concurrent writers, within and across processes, lose nothing.
import { updateConfig } from "../../src/config/store.ts";

const [dir, ...aliases] = Deno.args;
await Promise.all(aliases.map((alias) =>
  updateConfig({ dir, file: `${dir}/config` }, (config) => {
    config.accounts![alias] = { accountId: alias };
    return { changed: true, value: undefined };
  }, { lockTimeoutMs: 30_000 })
));
