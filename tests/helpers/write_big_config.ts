// One locked update of the config in Deno.args[0] that writes well over a kilobyte (run under
// a file-size limit by the tests); prints the error and exits 3 when the write fails.
import { updateConfig } from "../../src/config/store.ts";

const dir = Deno.args[0];
try {
  await updateConfig({ dir, file: `${dir}/config` }, (config) => {
    config.accounts!.big = { accountId: "big", accountName: "x".repeat(64 * 1024) };
    return { changed: true, value: undefined };
  });
} catch (error) {
  console.log(error instanceof Error ? error.message : String(error));
  Deno.exit(3);
}
