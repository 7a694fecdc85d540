/** `ably config path`: where the config file is. Never creates it. */
import type { Context } from "../../context.ts";

export function run(ctx: Context): Promise<void> {
  const { file } = ctx.settings.config;
  ctx.out.result({ config: { path: file } });
  ctx.out.print(file);
  return Promise.resolve();
}
