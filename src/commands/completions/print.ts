/** `ably completions bash|zsh|fish`: a completion script generated from the command tree. */
import type { Context } from "../../context.ts";
import type { GroupSpec } from "../spec.ts";
import { commandTree } from "../../completions/tree.ts";
import { completionScript, type Shell } from "../../completions/scripts.ts";

/** The command that prints `shell`'s script. */
export function printer(shell: Shell) {
  return {
    run(ctx: Context, _options: unknown, root: GroupSpec): Promise<void> {
      ctx.out.print(completionScript(shell, commandTree(root)).trimEnd(), { verbatim: true });
      return Promise.resolve();
    },
  };
}
