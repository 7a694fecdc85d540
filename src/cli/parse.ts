/**
 * argv → the command it names and its options, checked against the tree.
 * `args-tokens` splits argv into flags and positionals exactly as Node's
 * `parseArgs` does (no coercion: an account ID such as `012345` stays a
 * string); which flags exist, which take values, what conflicts and how many
 * arguments fit is decided here, from the tree, in the official CLI's words.
 */
import { parseArgs } from "args-tokens/parser";
import type { CommandSpec, FlagSpec, GroupSpec, Options, Spec } from "../commands/spec.ts";
import { HELP_FLAG } from "../commands/flags.ts";
import { closest } from "./suggest.ts";
import { shown } from "../errors.ts";

export type Parsed =
  | { kind: "help"; node: Spec }
  | { kind: "version" }
  /** A group that lists its commands when run bare. */
  | { kind: "listing"; node: GroupSpec; options: Options }
  | { kind: "run"; node: CommandSpec; options: Options }
  | { kind: "error"; node: Spec; message: string };

export function parse(root: GroupSpec, argv: string[], showDevFlags: boolean): Parsed {
  const tokens = parseArgs(argv);
  // Walk down the groups by the leading words.
  let node: Spec = root;
  let i = 0;
  for (; i < tokens.length && node.kind === "group"; i++) {
    const token = tokens[i];
    if (token.kind !== "positional") break;
    const child = childNamed(node, token.value!);
    if (!child) return unknownCommand(root, node, token.value!);
    node = child;
  }
  const read = readFlags(node, tokens.slice(i));
  const { options, positionals } = read;
  // `ably --help accounts login`: the help of the command the words name.
  if (options.help) {
    return node.kind === "group" ? descend(root, node, positionals) : { kind: "help", node };
  }
  if (options.version && node === root) return { kind: "version" };
  if (node.kind === "command" && node.builtin === "version") return { kind: "version" };
  if (node.kind === "command" && node.builtin === "help") return descend(root, root, positionals);
  const problem = read.unknown.length
    ? unknownFlags(node, read.unknown, showDevFlags)
    : read.problem ?? conflict(read.given, options);
  if (problem) return { kind: "error", node, message: problem };
  if (node.kind === "group") {
    if (positionals.length) return unknownCommand(root, node, positionals[0]);
    return node.listing ? { kind: "listing", node, options } : { kind: "help", node };
  }
  const wrong = readArgs(node, positionals, options);
  return wrong ? { kind: "error", node, message: wrong } : { kind: "run", node, options };
}

function childNamed(group: GroupSpec, word: string): Spec | undefined {
  return group.commands.find((c) => c.name === word || c.aliases?.includes(word));
}

interface ReadFlags {
  options: Options;
  positionals: string[];
  /** The first problem with a flag's value, if any. */
  problem?: string;
  unknown: string[];
  /** Flags in the order they were given, for the conflict message. */
  given: FlagSpec[];
}

/** The flags and positional words after the command's name, checked against its flags. */
function readFlags(node: Spec, rest: ReturnType<typeof parseArgs>): ReadFlags {
  const flags = [...node.flags, HELP_FLAG];
  const read: ReadFlags = { options: {}, positionals: [], unknown: [], given: [] };
  const { options, positionals } = read;
  for (let t = 0; t < rest.length; t++) {
    const token = rest[t];
    if (token.kind === "option-terminator") continue;
    if (token.kind === "positional") {
      positionals.push(token.value!);
      continue;
    }
    // After a group such as `-fv`, the tokenizer hands the next word over as a nameless
    // value of the group's last letter; a flag that takes no value leaves it an argument.
    if (token.name === undefined) {
      if (token.value !== undefined) positionals.push(token.value);
      continue;
    }
    const written = token.rawName ?? `--${token.name}`;
    const flag = flags.find((f) =>
      written.startsWith("--") ? f.long === written : f.short === written
    );
    if (!flag) {
      // The name only: `--token=…` on the wrong command may carry a real token.
      read.unknown.push(written);
      continue;
    }
    read.given.push(flag);
    if (!flag.value) {
      if (token.inlineValue) return { ...read, problem: `Flag ${flag.long} does not take a value` };
      options[flag.name] = !flag.negated;
      continue;
    }
    if (token.inlineValue) {
      options[flag.name] = token.value ?? "";
    } else if (
      rest[t + 1]?.kind === "positional" ||
      (rest[t + 1]?.kind === "option" && rest[t + 1].name === undefined)
    ) {
      options[flag.name] = rest[++t].value!;
    } else if (flag.value === "optional") {
      options[flag.name] = true;
    } else {
      return { ...read, problem: `Flag ${flag.long} expects a value` };
    }
    const value = options[flag.name];
    if (flag.choices && typeof value === "string" && !flag.choices.includes(value)) {
      return {
        ...read,
        problem: `Expected ${flag.long}=${shown(value)} to be one of: ${flag.choices.join(", ")}`,
      };
    }
  }
  return read;
}

/** Two flags given together that cannot be. */
function conflict(given: FlagSpec[], options: Options): string | undefined {
  const first = given.find((f) => f.conflicts?.some((c) => options[c] !== undefined));
  if (!first) return undefined;
  const second = given.find((f) => first.conflicts!.includes(f.name))!;
  return conflictMessage(first, second, options);
}

/** The command's arguments into `options`; what is wrong with them, if anything. */
function readArgs(node: CommandSpec, positionals: string[], options: Options): string | undefined {
  const { args } = node;
  if (positionals.length > args.length) {
    const extra = positionals.slice(args.length);
    const plural = extra.length > 1 ? "s" : "";
    const what = node.secretArgs
      ? ` (not shown, in case it is a token)${
        node.secretArgsHint ? `. ${node.secretArgsHint}` : ""
      }`
      : `: ${shown(extra.join(", "))}`;
    return `Unexpected argument${plural}${what}`;
  }
  for (const [index, arg] of args.entries()) {
    const value = positionals[index];
    if (value === undefined) {
      if (arg.required) return `Missing ${argumentName(arg.name)} argument`;
      continue;
    }
    if (arg.choices && !arg.choices.includes(value)) {
      return `Unknown ${arg.name} "${shown(value)}": use one of ${arg.choices.join(", ")}.`;
    }
    options[arg.name] = value;
  }
  return undefined;
}

function unknownFlags(node: Spec, words: string[], showDevFlags: boolean): string {
  const plural = words.length > 1 ? "s" : "";
  const candidates = [...node.flags, HELP_FLAG].filter((f) => showDevFlags || !f.hidden)
    .map((f) => f.long);
  // `--alais=foo` is a mistyped `--alias` too: the name alone is compared.
  const name = words[0].split("=")[0];
  const guess = words.length === 1 && name.startsWith("--") ? closest(name, candidates) : undefined;
  const hint = guess ? `\nDid you mean ${guess}?` : "";
  // A suggestion names one of our flags, never what was typed.
  if (node.kind === "command" && node.secretArgs) {
    return `Nonexistent flag${plural} (not shown, in case it is a token)${hint}`;
  }
  return `Nonexistent flag${plural}: ${shown(words.join(", "))}${hint}`;
}

/** The help of the command `words` name below `group`, or the unknown-command error. */
function descend(root: GroupSpec, group: GroupSpec, words: string[]): Parsed {
  let node: Spec = group;
  for (const word of words) {
    if (node.kind !== "group") break;
    const child = childNamed(node, word);
    if (!child) return unknownCommand(root, node, word);
    node = child;
  }
  return { kind: "help", node };
}

/**
 * A word that names no command in `group`. A word that names a command of another group
 * (`ably logout`, `ably list accounts`) is a missing topic: the command it means is
 * suggested; otherwise the closest name, or the listing.
 */
function unknownCommand(root: GroupSpec, group: GroupSpec, word: string): Parsed {
  const parent = group.id === "ably" ? "" : `${group.id.replaceAll(":", " ")} `;
  const topic = group === root ? elsewhere(root, word) : undefined;
  const names = group.commands.filter((c) => !c.hidden).map((c) => c.name);
  const guess = topic ?? (closest(word, names) && `${parent}${closest(word, names)}`);
  const hint = guess
    ? ` Did you mean "${guess}"?`
    : group.listing
    ? ` Run "ably ${parent.trim()}" to list them.`
    : "";
  return {
    kind: "error",
    node: group,
    message: `Command "${parent}${shown(word)}" not found.${hint}`,
  };
}

/** `accounts logout` for `logout`: a visible command of a group below the root named `word`. */
function elsewhere(root: GroupSpec, word: string): string | undefined {
  for (const group of root.commands) {
    if (group.kind !== "group" || group.hidden) continue;
    const command = childNamed(group, word);
    if (command && !command.hidden) return `${group.name} ${command.name}`;
  }
  return undefined;
}

/** oclif's wording, both directions, the flag given first named first, as the official CLI. */
function conflictMessage(first: FlagSpec, second: FlagSpec, options: Options): string {
  // A value is shown only where it is one of a fixed set: any other may be a secret.
  const given = (flag: FlagSpec) => {
    const value = options[flag.name];
    return flag.choices && typeof value === "string" ? value : "true";
  };
  return `The following errors occurred:\n  ${first.long}=${
    given(first)
  } cannot also be provided when using ${second.long}\n  ${second.long}=${
    given(second)
  } cannot also be provided when using ${first.long}`;
}

/** `accountAliasOrId` → `ACCOUNT_ALIAS_OR_ID`. */
export function argumentName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}
