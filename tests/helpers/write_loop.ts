// Rewrites the config with two alternating contents, as fast as it can, until killed.
import { configLocation } from "../../src/config/location.ts";
import { updateConfig } from "../../src/config/store.ts";
import { parseConfig } from "../../src/config/toml.ts";
import { SAMPLE_OAUTH, SAMPLE_SHARED } from "./fixtures.ts";

const location = configLocation(() => Deno.args[0]);
const contents = [parseConfig(SAMPLE_SHARED, "a"), parseConfig(SAMPLE_OAUTH, "b")];
console.log("writing");
for (let i = 0;; i++) {
  await updateConfig(location, (config) => {
    for (const key of Object.keys(config)) delete config[key];
    Object.assign(config, structuredClone(contents[i % 2]));
    return { changed: true, value: undefined };
  });
}
