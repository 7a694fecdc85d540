// One plain locked write of the config in Deno.args[0] (run under strace by the tests).
import { updateConfig } from "../../src/config/store.ts";

const dir = Deno.args[0];
await updateConfig({ dir, file: `${dir}/config` }, (config) => {
  config.accounts!.traced = { accountId: "traced" };
  return { changed: true, value: undefined };
});
