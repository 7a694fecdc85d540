/**
 * Where each command's behaviour lives, loaded only when it runs. Typed against
 * the tree: a command whose `run` does not take its entry's options fails
 * `deno check`, and every command in the tree has exactly one loader.
 */
import type { Context } from "../context.ts";
import type { CommandSpec, GroupSpec, Options, OptionsOf } from "../commands/spec.ts";
import type { COMMANDS } from "./tree.ts";

type Runner<C extends CommandSpec> = {
  run: (ctx: Context, options: OptionsOf<C>, root: GroupSpec) => Promise<void>;
};
type Loader<C extends CommandSpec> = () => Promise<Runner<C>>;
type Command = (typeof COMMANDS)[number];

const loaders: { [C in Command as C["id"]]: Loader<C> } = {
  "accounts:current": () => import("../commands/accounts/current.ts"),
  "accounts:env": () => import("../commands/accounts/env.ts"),
  "accounts:keychain": () => import("../commands/accounts/keychain.ts"),
  "accounts:list": () => import("../commands/accounts/list.ts"),
  "accounts:login": () => import("../commands/accounts/login.ts"),
  "login": () => import("../commands/accounts/login.ts"),
  "accounts:logout": () => import("../commands/accounts/logout.ts"),
  "accounts:status": () => import("../commands/accounts/status.ts"),
  "accounts:switch": () => import("../commands/accounts/switch.ts"),
  "accounts:token": () => import("../commands/accounts/token.ts"),
  "config:path": () => import("../commands/config/path.ts"),
  "config:show": () => import("../commands/config/show.ts"),
  "completions:bash": async () =>
    (await import("../commands/completions/print.ts")).printer("bash"),
  "completions:zsh": async () => (await import("../commands/completions/print.ts")).printer("zsh"),
  "completions:fish": async () =>
    (await import("../commands/completions/print.ts")).printer("fish"),
  "completions:install": () => import("../commands/completions/install.ts"),
  "__complete": () => import("../commands/completions/aliases.ts"),
};

/** The command's module; its options were checked against its entry by the parser. */
export async function load(command: CommandSpec): Promise<{
  run: (ctx: Context, options: Options, root: GroupSpec) => Promise<void>;
}> {
  const loader = (loaders as Record<string, Loader<CommandSpec>>)[command.id];
  if (!loader) throw new Error(`no behaviour for command ${command.id}`);
  return (await loader()) as unknown as {
    run: (ctx: Context, options: Options, root: GroupSpec) => Promise<void>;
  };
}
