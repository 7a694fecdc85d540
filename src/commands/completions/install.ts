/**
 * `ably completions install [bash|zsh|fish] [--dry-run]`: writes the completion
 * script where the shell loads it by itself, in the user's own directories,
 * and adds to the shell's start-up file only the lines it needs and does not
 * have yet (never a line twice). Says exactly what it changed; `--dry-run`
 * says what it would change and changes nothing.
 *
 * - bash: `${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/ably`,
 *   which bash-completion (2.x) loads on demand; without bash-completion, a line
 *   in ~/.bashrc that sources it.
 * - zsh: `~/.zsh/completions/_ably`, and in `${ZDOTDIR:-~}/.zshrc` that
 *   directory on `fpath` (before `compinit` runs) and `compinit` if it is missing.
 * - fish: `${XDG_CONFIG_HOME:-~/.config}/fish/completions/ably.fish`, which fish
 *   loads by itself.
 */
import type { Context } from "../../context.ts";
import type { ShellPlaces } from "../../settings.ts";
import type { GroupSpec } from "../spec.ts";
import type { CompletionsInstallOptions } from "./specs.ts";
import { CliError, shown, usageError } from "../../errors.ts";
import { commandTree } from "../../completions/tree.ts";
import { completionScript, type Shell } from "../../completions/scripts.ts";

const SHELLS: readonly Shell[] = ["bash", "zsh", "fish"];

/** Where bash-completion's loader is installed (Linux distributions, Homebrew, MacPorts). */
export const BASH_COMPLETION_LOADERS = [
  "/usr/share/bash-completion/bash_completion",
  "/etc/bash_completion",
  "/usr/local/share/bash-completion/bash_completion",
  "/usr/local/etc/profile.d/bash_completion.sh",
  "/opt/homebrew/etc/profile.d/bash_completion.sh",
  "/opt/local/etc/profile.d/bash_completion.sh",
];

export interface Change {
  path: string;
  /** A file written (created, updated) or left as it was; a line added to a start-up file. */
  action: "created" | "updated" | "unchanged" | "added";
  line?: string;
}

export interface Plan {
  changes: Change[];
  /** The files to write, with their whole new text. */
  writes: { path: string; text: string }[];
}

/** The shell asked for, else the one $SHELL names. */
export function shellOf(requested: Shell | undefined, shellVariable: string | undefined): Shell {
  if (requested) return requested;
  const name = shellVariable?.split(/[\\/]/).pop()?.replace(/\.exe$/, "");
  if (name && (SHELLS as readonly string[]).includes(name)) return name as Shell;
  throw usageError(
    `Cannot tell your shell from $SHELL (${
      shellVariable ? `"${shown(shellVariable)}"` : "unset"
    }): name it, e.g. ably completions install bash (bash, zsh or fish).`,
  );
}

/** What installing `script` for `shell` changes; `read` gives a file's text, or undefined. */
export async function plan(
  shell: Shell,
  places: ShellPlaces,
  script: string,
  bashCompletion: boolean,
  read: (path: string) => Promise<string | undefined>,
): Promise<Plan> {
  const home = places.home;
  if (!home) throw new CliError("Cannot find your home directory: set HOME.");
  const result: Plan = { changes: [], writes: [] };
  switch (shell) {
    case "bash": {
      const data = places.xdgDataHome ?? `${home}/.local/share`;
      const target = `${data}/bash-completion/completions/ably`;
      await writeScript(result, read, target, script);
      if (!bashCompletion) {
        await addLines(result, read, `${home}/.bashrc`, [{
          line: `[ -r "${target}" ] && . "${target}"`,
          present: (text) => text.includes(target),
        }]);
      }
      break;
    }
    case "zsh": {
      const dir = `${home}/.zsh/completions`;
      await writeScript(result, read, `${dir}/_ably`, script);
      await addLines(result, read, `${places.zdotdir ?? home}/.zshrc`, [
        {
          line: `fpath=(${dir} $fpath)`,
          present: (text) => text.includes(dir) || text.includes("~/.zsh/completions"),
          beforeCompinit: true,
        },
        {
          line: "autoload -Uz compinit && compinit",
          present: (text) => /^\s*[^#]*(compinit|oh-my-zsh\.sh)/m.test(text),
        },
      ]);
      break;
    }
    case "fish": {
      const config = places.xdgConfigHome ?? `${home}/.config`;
      await writeScript(result, read, `${config}/fish/completions/ably.fish`, script);
      break;
    }
  }
  return result;
}

type Read = (path: string) => Promise<string | undefined>;

/** The script at `path`: written, or left as it is when it is already the same. */
async function writeScript(result: Plan, read: Read, path: string, script: string) {
  const now = await read(path);
  if (now === script) {
    result.changes.push({ path, action: "unchanged" });
  } else {
    result.changes.push({ path, action: now === undefined ? "created" : "updated" });
    result.writes.push({ path, text: script });
  }
}

/** Adds the `lines` missing from the start-up file `path` (each judged by `present`). */
async function addLines(
  result: Plan,
  read: Read,
  path: string,
  lines: { line: string; present: (text: string) => boolean; beforeCompinit?: boolean }[],
) {
  const before = (await read(path)) ?? "";
  let text = before;
  for (const { line, present, beforeCompinit } of lines) {
    if (present(text)) continue;
    result.changes.push({ path, action: "added", line });
    const rows = text.split("\n");
    // fpath must be set before compinit runs (also inside oh-my-zsh.sh), or it is not seen.
    const at = beforeCompinit
      ? rows.findIndex((row) => /^\s*[^#]*(compinit|oh-my-zsh\.sh)/.test(row))
      : -1;
    if (at >= 0) {
      rows.splice(at, 0, `${line}  # added by ably completions install`);
      text = rows.join("\n");
    } else {
      const separator = text === "" || text.endsWith("\n") ? "" : "\n";
      text = `${text}${separator}${line}  # added by ably completions install\n`;
    }
  }
  if (text !== before) result.writes.push({ path, text });
}

export async function run(
  ctx: Context,
  options: CompletionsInstallOptions,
  root: GroupSpec,
): Promise<void> {
  const { out } = ctx;
  const shell = shellOf(options.shell, ctx.settings.shell.shell);
  const script = `${completionScript(shell, commandTree(root)).trimEnd()}\n`;
  const bashCompletion = shell === "bash" && (await anyExists(BASH_COMPLETION_LOADERS));
  const { changes, writes } = await plan(
    shell,
    ctx.settings.shell,
    script,
    bashCompletion,
    readIfThere,
  );
  const dryRun = Boolean(options.dryRun);
  if (!dryRun) {
    for (const { path, text } of writes) {
      await Deno.mkdir(dirname(path), { recursive: true });
      await Deno.writeTextFile(path, text);
    }
  }
  out.result({ completions: { shell, dryRun, changes } });
  const verb = (done: string, would: string) => (dryRun ? would : done);
  for (const change of changes) {
    if (change.action === "unchanged") {
      out.print(`${change.path} is already up to date.`);
    } else if (change.action === "added") {
      // A line to copy is never wrapped: it stands on a line of its own, indented, whole.
      out.print(`${verb("Added", "Would add")} to ${change.path}:`);
      out.print(`  ${change.line}`, { verbatim: true });
    } else {
      out.print(
        `${
          verb(change.action === "created" ? "Created" : "Updated", "Would write")
        } ${change.path}.`,
      );
    }
  }
  if (shell === "bash" && bashCompletion) {
    out.note("bash-completion is installed: it loads the script when you first complete ably.");
  }
  if (dryRun) out.note("Nothing was changed (--dry-run).");
  else if (writes.length) out.note(`Open a new ${shell} to use the completions.`);
}

function dirname(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")));
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function anyExists(paths: string[]): Promise<boolean> {
  for (const path of paths) {
    try {
      await Deno.stat(path);
      return true;
    } catch { /* not there */ }
  }
  return false;
}
