/**
 * Help in the official CLI's layout (description, USAGE, ARGUMENTS, FLAGS,
 * COMMANDS, EXAMPLES) and the `ably accounts` listing, both read off the tree.
 */
import { type Reporter, wrapWords } from "../output/reporter.ts";
import { argumentName } from "./parse.ts";
import { HELP_FLAG } from "../commands/flags.ts";
import {
  type ArgSpec,
  type FlagSpec,
  type GroupSpec,
  pathOf,
  type Spec,
  visibleFlags,
} from "../commands/spec.ts";

/** `columns`: the terminal's width, to wrap descriptions to (none when not a terminal). */
export function formatHelp(node: Spec, showDevFlags: boolean, columns = Infinity): string {
  const path = pathOf(node);
  const flags = [...visibleFlags(node, showDevFlags), HELP_FLAG];
  const args = node.kind === "command" ? node.args : [];
  // Alphabetical, as the `ably accounts` listing orders them.
  const commands = node.kind === "group"
    ? node.commands.filter((c) => !c.hidden).sort((a, b) => pathOf(a).localeCompare(pathOf(b)))
    : [];
  const sections: string[] = [node.summary];

  const usage = [`$ ${path}`];
  if (commands.length) usage.push("COMMAND");
  for (const arg of args) {
    usage.push(usageName(arg));
  }
  usage.push(...usageFlags(flags));
  sections.push(`USAGE\n  ${wrapParts(usage, columns - 4).join("\n    ")}`);

  if (args.length) {
    const rows = args.map((arg) => [usageName(arg), arg.description]);
    sections.push(section("ARGUMENTS", rows, columns));
  }
  // Flags with a short form first, then long-only ones, help last.
  const rank = (f: FlagSpec) => (f === HELP_FLAG ? 2 : f.short ? 0 : 1);
  sections.push(section(
    "FLAGS",
    [...flags].sort((a, b) => rank(a) - rank(b)).map((flag) => [
      `${flag.short ? `${flag.short}, ` : "    "}${flag.long}${placeholder(flag)}`,
      flag.description,
    ]),
    columns,
  ));
  if (commands.length) {
    sections.push(section("COMMANDS", commands.map((c) => [pathOf(c), c.summary]), columns));
  }
  if (node.examples?.length) {
    sections.push(`EXAMPLES\n${node.examples.map((example) => `  $ ${example}`).join("\n")}`);
  }
  return sections.join("\n\n");
}

/** `ably accounts` run bare: its commands, as the official CLI lists them. */
export function printListing(out: Reporter, group: GroupSpec): void {
  const rows = group.commands.filter((c) => !c.hidden).map((c) => [pathOf(c), c.summary]);
  const width = Math.max(...rows.map(([id]) => id.length)) + 2;
  out.result({ commands: rows.map(([id, description]) => ({ id, description })) });
  out.print(`Ably ${group.name} management commands:`);
  out.print();
  for (const [id, text] of rows.sort()) {
    // Wrapped on a terminal with the description under itself.
    out.print(`  ${out.style.cyan(id.padEnd(width))} - ${text}`, { hang: width + 5 });
  }
  out.print();
  out.print(`Run \`${pathOf(group)} COMMAND --help\` for more information on a command.`);
}

/** Usage wraps between its parts, never inside `[--token [<value>]]`. */
function wrapParts(parts: string[], width: number): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + part.length <= width) lines[last] += ` ${part}`;
    else lines.push(part);
  }
  return lines;
}

/** `SHELL` when required, `[ACCOUNT_ALIAS_OR_ID]` when not. */
function usageName(arg: ArgSpec): string {
  return arg.required ? argumentName(arg.name) : `[${argumentName(arg.name)}]`;
}

function placeholder(flag: FlagSpec): string {
  return flag.value === "required" ? " <value>" : flag.value === "optional" ? " [<value>]" : "";
}

/** `[-f] [--json | --pretty-json]`: conflicting flags are shown as alternatives. */
function usageFlags(flags: FlagSpec[]): string[] {
  const shown = new Set<FlagSpec>();
  const parts: string[] = [];
  for (const flag of flags) {
    if (shown.has(flag) || flag === HELP_FLAG) continue;
    const group = [flag, ...flags.filter((f) => flag.conflicts?.includes(f.name))];
    for (const f of group) shown.add(f);
    parts.push(`[${group.map((f) => `${f.short ?? f.long}${placeholder(f)}`).join(" | ")}]`);
  }
  return parts;
}

function section(title: string, rows: string[][], columns: number): string {
  const width = Math.max(...rows.map(([term]) => term.length));
  const indent = " ".repeat(width + 4);
  // Descriptions wrap under themselves; a terminal too narrow for that gets them unwrapped.
  const room = columns - indent.length;
  const lines = rows.map(([term, text]) =>
    (room >= 20 ? wrapWords(text, room) : [text])
      .map((line, i) =>
        (i === 0 ? `  ${term.padEnd(width)}  ${line}` : `${indent}${line}`).trimEnd()
      )
      .join("\n")
  );
  return `${title}\n${lines.join("\n")}`;
}
