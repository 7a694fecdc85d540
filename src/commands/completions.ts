/**
 * ably completions bash|zsh|fish: print a shell completion script.
 * (Hidden) ably __complete aliases: the account aliases, for those scripts.
 */
import { Argument, type Command } from "@commander-js/extra-typings";
import type { App } from "../cli.ts";
import { setExamples } from "./help.ts";

const SHELLS = ["bash", "zsh", "fish"] as const;

export function registerCompletions(program: Command, app: App): void {
  const completions = program
    .command("completions")
    .description("Print a shell completion script (bash, zsh or fish)")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(SHELLS));
  setExamples(completions, [
    "ably completions bash > ~/.local/share/bash-completion/completions/ably",
    'ably completions zsh > "${fpath[1]}/_ably"',
    "ably completions fish > ~/.config/fish/completions/ably.fish",
  ]);
  completions.action((shell) =>
    app.run("completions", {}, async (out) => {
      const { commandTree } = await import("../completions/tree.ts");
      const { completionScript } = await import("../completions/scripts.ts");
      out.print(completionScript(shell, commandTree(program)).trimEnd());
    })
  );

  // Called by the completion scripts on every Tab: fast, and silent on any problem.
  program
    .command("__complete", { hidden: true })
    .argument("<what>")
    .action(async (what) => {
      if (what !== "aliases") return;
      try {
        const { configLocation } = await import("../config/location.ts");
        const { readConfig } = await import("../config/store.ts");
        const config = await readConfig(configLocation(app.env).file);
        // The shell expands these words: anything beyond plain alias characters is left out.
        const aliases = Object.keys(config?.accounts ?? {}).filter((a) => /^[\w.@:+-]+$/.test(a));
        if (aliases.length) console.log(aliases.join("\n"));
      } catch {
        // A missing or broken config completes nothing; the shell must not show errors.
      }
    });
}
