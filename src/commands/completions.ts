/** `ably completions bash|zsh|fish`: a completion script generated from the command tree. */
import type { Context } from "../context.ts";
import type { GroupSpec } from "../cli/spec.ts";
import { commandTree } from "../completions/tree.ts";
import { completionScript, type Shell } from "../completions/scripts.ts";

export type CompletionsOptions = {
  shell: Shell;
};

export function run(ctx: Context, options: CompletionsOptions, root: GroupSpec): Promise<void> {
  ctx.out.print(completionScript(options.shell, commandTree(root)).trimEnd(), { verbatim: true });
  return Promise.resolve();
}
