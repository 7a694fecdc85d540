/** The command tree as the completion scripts need it: visible words, flags and arguments. */
import { HELP_FLAG } from "../commands/flags.ts";
import { type Spec, visibleFlags } from "../commands/spec.ts";

export interface CommandNode {
  /** Words from the root, e.g. ["accounts", "logout"]; the root is []. */
  path: string[];
  /** Other names that lead here, e.g. ["account"]. */
  aliases: string[];
  description: string;
  /** The flags offered (hidden ones are not). */
  flags: {
    long: string;
    short?: string;
    description: string;
    value?: "required" | "optional";
    /** The only values it takes, offered while its value is typed. */
    choices?: string[];
  }[];
  /**
   * Every spelling of a flag that takes a value, hidden ones included: the word after
   * it is that value (one of its choices, if it has any; else free text) and not an argument.
   */
  valueFlags: string[];
  subcommands: CommandNode[];
  /** The positional arguments in order: what completes at each position. */
  args: { choices: string[]; account: boolean }[];
}

export function commandTree(node: Spec, path: string[] = []): CommandNode {
  const args = node.kind === "command" ? node.args : [];
  return {
    path,
    aliases: node.aliases ?? [],
    description: node.summary,
    flags: [...visibleFlags(node, false), HELP_FLAG].map((flag) => ({
      long: flag.long,
      ...(flag.short ? { short: flag.short } : {}),
      description: flag.description,
      ...(flag.value ? { value: flag.value } : {}),
      ...(flag.choices ? { choices: [...flag.choices] } : {}),
    })),
    valueFlags: node.flags.filter((flag) => flag.value).flatMap((flag) =>
      flag.short ? [flag.long, flag.short] : [flag.long]
    ),
    subcommands: node.kind === "group"
      ? node.commands.filter((c) => !c.hidden).map((c) => commandTree(c, [...path, c.name]))
      : [],
    args: args.map((arg) => ({ choices: [...arg.choices ?? []], account: !!arg.account })),
  };
}

export function allNodes(node: CommandNode): CommandNode[] {
  return [node, ...node.subcommands.flatMap(allNodes)];
}
