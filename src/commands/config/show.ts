/** `ably config show [--reveal]`: the config, tokens and API key secrets masked unless --reveal. */
import type { Context } from "../../context.ts";
import { CliError } from "../../errors.ts";
import { serializeConfig } from "../../config/store.ts";
import { maskSecrets } from "../../config/mask.ts";

export type ShowOptions = {
  reveal?: boolean;
};

export async function run(ctx: Context, options: ShowOptions): Promise<void> {
  const { out } = ctx;
  const { file } = ctx.settings.config;
  const snapshot = await ctx.store.snapshot({ reveal: options.reveal });
  if (!snapshot) {
    throw new CliError(
      `Config file does not exist at: ${file}\nRun "ably accounts login" to create one.`,
      { component: "configShow", context: { path: file } },
    );
  }
  const contents = options.reveal ? snapshot.config : maskSecrets(snapshot.config);
  out.result({ config: { exists: true, path: file, contents } });
  out.print(`# Config file: ${file}`);
  out.print();
  out.print((options.reveal ? snapshot.text : serializeConfig(contents)).replace(/\n$/, ""));
}
