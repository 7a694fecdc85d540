/** `ably __complete aliases`: the account aliases, for the completion scripts; silent on any problem. */
import type { Context } from "../../context.ts";
import { accountsOf } from "../../config/accounts.ts";

export async function run(ctx: Context, options: { what: string }): Promise<void> {
  if (options.what !== "aliases") return;
  const config = await ctx.accounts.read();
  // The shell expands these words: anything beyond plain alias characters is left out.
  const aliases = Object.keys(accountsOf(config)).filter((a) => /^[\w.@:+-]+$/.test(a));
  if (aliases.length) ctx.out.print(aliases.join("\n"));
}
