/** The completions commands as the tree declares them, beside the commands that read them. */
import type { CommandSpec, OptionsOf } from "../spec.ts";
import { JSON_FLAGS } from "../flags.ts";

function completionScript<const Id extends string, const Shell extends string>(
  id: Id,
  shell: Shell,
  example: string,
) {
  return {
    kind: "command",
    id,
    name: shell,
    summary:
      `Print the ${shell} completion script (to install it: ably completions install ${shell})`,
    args: [],
    flags: [],
    examples: [example],
  } as const satisfies CommandSpec;
}

export const COMPLETIONS_BASH = completionScript(
  "completions:bash",
  "bash",
  "source <(ably completions bash)",
);
export const COMPLETIONS_ZSH = completionScript(
  "completions:zsh",
  "zsh",
  "ably completions zsh > ~/.zsh/completions/_ably",
);
export const COMPLETIONS_FISH = completionScript(
  "completions:fish",
  "fish",
  "ably completions fish > ~/.config/fish/completions/ably.fish",
);

export const COMPLETIONS_INSTALL = {
  kind: "command",
  id: "completions:install",
  name: "install",
  summary: "Install completions for your shell where it loads them, and say what changed",
  args: [{
    name: "shell",
    description: "bash, zsh or fish (default: the one $SHELL names)",
    choices: ["bash", "zsh", "fish"],
  }],
  flags: [
    {
      name: "dryRun",
      long: "--dry-run",
      description: "Show what would be written and added, change nothing",
    },
    ...JSON_FLAGS,
  ],
  examples: [
    "ably completions install",
    "ably completions install zsh --dry-run",
    "ably completions install fish",
  ],
} as const satisfies CommandSpec;

export const COMPLETE = {
  // Called by the completion scripts on every Tab: fast, and silent on any problem.
  kind: "command",
  id: "__complete",
  name: "__complete",
  summary: "Complete account aliases",
  hidden: true,
  silent: true,
  args: [{ name: "what", description: "What to complete", required: true }],
  flags: [],
} as const satisfies CommandSpec;

export type CompletionsInstallOptions = OptionsOf<typeof COMPLETIONS_INSTALL>;
export type CompleteOptions = OptionsOf<typeof COMPLETE>;
