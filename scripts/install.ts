/**
 * Installs `ably` from this checkout with `deno install -g`, granting exactly the
 * permissions of the `ably` task (one source of truth, as for compiled binaries).
 *
 * Usage: deno task install [--root DIR]
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { ENTRYPOINT, runFlags } from "./compile.ts";

const root = fromFileUrl(new URL("..", import.meta.url));
const args = [
  "install",
  "--global",
  "--force",
  "--name",
  "ably",
  "--config",
  `${root}deno.json`,
  ...Deno.args,
  ...runFlags(denoJson.tasks.ably),
  `${root}${ENTRYPOINT}`,
];
console.log(`deno ${args.join(" ")}`);
const { code } = await new Deno.Command("deno", { args }).spawn().status;
Deno.exit(code);
