/** The command tree as the completion scripts need it: visible words, flags and choices. */
import { HELP_FLAG } from "../cli/parse.ts";
import { type Spec, visibleFlags } from "../cli/spec.ts";

export interface CommandNode {
  /** Words from the root, e.g. ["accounts", "logout"]; the root is []. */
  path: string[];
  description: string;
  flags: { long: string; short?: string; description: string }[];
  subcommands: CommandNode[];
  /** Whether a positional argument names an account (its aliases complete there). */
  takesAccount: boolean;
  /** Fixed values of a positional argument, e.g. the shells. */
  choices: string[];
}

export function commandTree(node: Spec, path: string[] = []): CommandNode {
  const args = node.kind === "command" ? node.args : [];
  return {
    path,
    description: node.summary,
    flags: [...visibleFlags(node, false), HELP_FLAG].map((flag) => ({
      long: flag.long,
      ...(flag.short ? { short: flag.short } : {}),
      description: flag.description,
    })),
    subcommands: node.kind === "group"
      ? node.commands.filter((c) => !c.hidden).map((c) => commandTree(c, [...path, c.name]))
      : [],
    takesAccount: args.some((arg) => arg.account),
    choices: args.flatMap((arg) => arg.choices ?? []),
  };
}

export function allNodes(node: CommandNode): CommandNode[] {
  return [node, ...node.subcommands.flatMap(allNodes)];
}
