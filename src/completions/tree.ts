/** The command tree as plain data, read off commander, for generating completion scripts. */
import type { CommandUnknownOpts } from "@commander-js/extra-typings";

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

export function commandTree(command: CommandUnknownOpts, path: string[] = []): CommandNode {
  const help = command.createHelp();
  return {
    path,
    description: command.description(),
    flags: help.visibleOptions(command)
      .filter((option) => option.long)
      .map((option) => ({
        long: option.long!,
        ...(option.short ? { short: option.short } : {}),
        description: option.description,
      })),
    subcommands: help.visibleCommands(command).map((sub) =>
      commandTree(sub, [...path, sub.name()])
    ),
    takesAccount: command.registeredArguments.some((arg) => /account/i.test(arg.name())),
    choices: command.registeredArguments.flatMap((arg) => arg.argChoices ?? []),
  };
}

export function allNodes(node: CommandNode): CommandNode[] {
  return [node, ...node.subcommands.flatMap(allNodes)];
}
