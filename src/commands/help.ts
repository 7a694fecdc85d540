/** Help in the official CLI's layout: description, USAGE, ARGUMENTS, FLAGS, COMMANDS, EXAMPLES. */
import type { CommandUnknownOpts, Help, Option } from "@commander-js/extra-typings";

const examplesOf = new WeakMap<CommandUnknownOpts, string[]>();

export function setExamples(command: CommandUnknownOpts, examples: string[]): void {
  examplesOf.set(command, examples);
}

export function formatHelp(command: CommandUnknownOpts, helper: Help): string {
  const path = commandPath(command);
  const options = helper.visibleOptions(command);
  const args = helper.visibleArguments(command);
  const subcommands = helper.visibleCommands(command);
  const sections: string[] = [];

  if (command.description()) sections.push(command.description());

  const usage = [`$ ${path}`];
  if (subcommands.length) usage.push("COMMAND");
  for (const arg of args) usage.push(argumentName(arg.name(), arg.required));
  usage.push(...usageFlags(options));
  sections.push(`USAGE\n  ${usage.join(" ")}`);

  if (args.length) {
    sections.push(section(
      "ARGUMENTS",
      args.map((arg) => [argumentName(arg.name(), arg.required), arg.description]),
    ));
  }
  const rank = (o: Option) => (o.long === "--help" ? 2 : o.short ? 0 : 1);
  const flags = [...options].sort((a, b) => rank(a) - rank(b));
  if (flags.length) {
    sections.push(section(
      "FLAGS",
      flags.map((opt) => [
        `${opt.short ? `${opt.short}, ` : "    "}${opt.long}${
          opt.required ? " <value>" : opt.optional ? " [<value>]" : ""
        }`,
        opt.description,
      ]),
    ));
  }
  if (subcommands.length) {
    sections.push(section(
      "COMMANDS",
      subcommands.map((sub) => [`${path} ${sub.name()}`, sub.description()]),
    ));
  }
  const examples = examplesOf.get(command);
  if (examples?.length) {
    sections.push(`EXAMPLES\n${examples.map((example) => `  $ ${example}`).join("\n")}`);
  }
  return `${sections.join("\n\n")}\n`;
}

export function commandPath(command: CommandUnknownOpts): string {
  const names: string[] = [];
  for (let c: CommandUnknownOpts | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

function argumentName(name: string, required: boolean): string {
  const upper = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
  return required ? upper : `[${upper}]`;
}

/** `[-f] [--json | --pretty-json]`: conflicting flags are shown as alternatives. */
function usageFlags(options: readonly Option[]): string[] {
  const shown = new Set<Option>();
  const parts: string[] = [];
  for (const opt of options) {
    if (shown.has(opt) || opt.long === "--help") continue;
    const rivals = options.filter((other) =>
      other !== opt && conflictsOf(opt).includes(other.attributeName())
    );
    for (const o of [opt, ...rivals]) shown.add(o);
    const term = (o: Option) =>
      `${o.short ?? o.long}${o.required ? " <value>" : o.optional ? " [<value>]" : ""}`;
    parts.push(`[${[opt, ...rivals].map(term).join(" | ")}]`);
  }
  return parts;
}

function section(title: string, rows: [string, string][]): string {
  const width = Math.max(...rows.map(([term]) => term.length));
  const lines = rows.map(([term, text]) => `  ${term.padEnd(width)}  ${text}`.trimEnd());
  return `${title}\n${lines.join("\n")}`;
}

/** Set by `Option.conflicts()`; commander does not type it. */
function conflictsOf(option: Option): string[] {
  return (option as unknown as { conflictsWith?: string[] }).conflictsWith ?? [];
}
