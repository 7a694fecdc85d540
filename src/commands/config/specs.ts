/** The config commands as the tree declares them, beside the commands that read them. */
import type { CommandSpec, OptionsOf } from "../spec.ts";
import { GLOBAL_FLAGS } from "../flags.ts";

export const CONFIG_PATH = {
  kind: "command",
  id: "config:path",
  name: "path",
  summary: "Print the path to the Ably CLI config file",
  args: [],
  flags: GLOBAL_FLAGS,
  examples: ["ably config path", "ably config path --json"],
} as const satisfies CommandSpec;

export const CONFIG_SHOW = {
  kind: "command",
  id: "config:show",
  name: "show",
  summary: "Display the contents of the Ably CLI config file",
  args: [],
  flags: [
    {
      name: "reveal",
      long: "--reveal",
      description: "Show access tokens and API key secrets instead of masking them",
    },
    ...GLOBAL_FLAGS,
  ],
  examples: ["ably config show", "ably config show --json", "ably config show --reveal"],
} as const satisfies CommandSpec;

export type ConfigShowOptions = OptionsOf<typeof CONFIG_SHOW>;
