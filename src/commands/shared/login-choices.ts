/**
 * The choices a login makes after authorization: which account, which alias,
 * which app and key. On a terminal they are asked; otherwise the first or only
 * option is taken with a warning, never a prompt. An alias that belongs to a
 * different account is never overwritten unless the user says so in so many
 * words.
 */
import type { Context } from "../../context.ts";
import { CliError } from "../../errors.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { aliasFromName, aliasProblem, uniqueAlias } from "../../config/alias.ts";
import { accountsOf } from "../../config/accounts.ts";
import {
  type App as ControlApp,
  ControlApiError,
  type ControlClient,
  type Key,
  type Me,
  type RemoteAccount,
} from "../../control/api.ts";

export async function chooseRemoteAccount(
  ctx: Context,
  me: Me,
  remote: RemoteAccount[],
): Promise<RemoteAccount> {
  if (remote.length === 0) return me.account;
  if (remote.length === 1) return remote[0];
  if (!ctx.interactive) {
    const [first] = remote;
    ctx.out.warning(
      `Multiple accounts found (${remote.length}); auto-selected ${first.name} (${first.id}). Run "ably accounts login" in a terminal to choose.`,
    );
    return first;
  }
  return await ctx.prompter.choose(
    "Select an account:",
    remote.map((a) => ({ name: `${a.name} (${a.id})`, value: a })),
  );
}

/**
 * The alias to store the login under: `--alias`, else one derived from the
 * account name. Re-logging into the same account under its alias is fine; an
 * alias held by a different account is replaced only with `--force` or an
 * explicit yes on a terminal.
 */
export async function chooseAlias(
  ctx: Context,
  config: AblyConfig,
  account: RemoteAccount,
  requested: string | undefined,
  force: boolean,
): Promise<string> {
  const { out } = ctx;
  let alias = requested ?? aliasFromName(account.name);
  while (true) {
    const holder = holderOf(config, alias, account.id);
    if (!holder || (requested !== undefined && alias === requested && force)) return alias;
    if (!ctx.interactive) {
      if (requested === undefined) {
        const free = uniqueAlias(config, alias, account.id);
        out.warning(
          `Alias "${alias}" is already used by a different account (${holder}); storing this login as "${free}" instead.`,
        );
        return free;
      }
      throw new CliError(
        `Alias "${alias}" is already used by a different account (${holder}). Use another --alias, or add --force to replace that account.`,
        { component: "accountLogin" },
      );
    }
    // Lines that introduce a question go to stderr with it (as the question itself does).
    out.note("");
    out.note(`Alias "${alias}" is already used by a different account (${holder}).`);
    // The same rule as --alias: what the prompt accepts is what --alias would.
    const chosen = (await ctx.prompter.input("Enter an alias for this account:", {
      default: uniqueAlias(config, alias, account.id),
      validate: (value) => aliasProblem(value.toLowerCase()),
    })).toLowerCase();
    if (holderOf(config, chosen, account.id)) {
      const replace = await ctx.prompter.confirm(
        `Replace the account ${holderOf(config, chosen, account.id)} stored as "${chosen}"?`,
      );
      if (replace) return chosen;
    }
    alias = chosen;
    requested = undefined;
  }
}

/** `name (id)` of a different account stored under `alias`, if any. */
function holderOf(config: AblyConfig, alias: string, accountId: string): string | undefined {
  const accounts = accountsOf(config);
  if (!Object.hasOwn(accounts, alias)) return undefined;
  const holder = accounts[alias];
  if (holder.accountId === accountId) return undefined;
  const id = holder.accountId ?? "unknown ID";
  return holder.accountName ? `${holder.accountName}, ${id}` : id;
}

export async function chooseApp(
  ctx: Context,
  client: ControlClient,
  accountId: string,
): Promise<{ app: ControlApp; autoSelected: boolean } | undefined> {
  const { out } = ctx;
  let apps: ControlApp[];
  const fetching = out.spinner("Fetching your apps");
  try {
    apps = await client.apps(accountId).finally(() => fetching.stop());
  } catch (error) {
    if (!(error instanceof ControlApiError)) throw error;
    out.warning(`Could not fetch apps: ${error.message}`);
    return undefined;
  }
  if (apps.length === 1) return { app: apps[0], autoSelected: true };
  if (apps.length > 1) {
    if (!ctx.interactive) {
      out.warning(
        'Multiple apps found; none was selected. Run "ably accounts login" in a terminal to choose one.',
      );
      return undefined;
    }
    out.note("");
    out.note("Select an app to use:");
    const app = await ctx.prompter.choose(
      "Select an app:",
      apps.map((a) => ({ name: `${a.name} (${a.id})`, value: a })),
    );
    return { app, autoSelected: false };
  }
  if (!ctx.interactive) {
    out.warning("No apps found in this account. Create one in the Ably dashboard.");
    return undefined;
  }
  out.note("");
  out.note("No apps found in your account.");
  if (!(await ctx.prompter.confirm("Would you like to create your first app now?"))) {
    return undefined;
  }
  const name = await ctx.prompter.input("Enter a name for your app:", {
    validate: (value) => (value ? undefined : "App name cannot be empty"),
  });
  const creating = out.spinner(`Creating app ${name}`);
  try {
    const app = await client.createApp(accountId, name).finally(() => creating.stop());
    out.success("App created successfully.");
    return { app, autoSelected: false };
  } catch (error) {
    if (!(error instanceof ControlApiError)) throw error;
    out.warning(`Failed to create app: ${error.message}`);
    return undefined;
  }
}

export async function chooseKey(
  ctx: Context,
  client: ControlClient,
  app: ControlApp,
): Promise<{ key: Key; autoSelected: boolean } | undefined> {
  const { out } = ctx;
  let keys: Key[];
  const fetching = out.spinner(`Fetching the API keys of ${app.name}`);
  try {
    keys = await client.keys(app.id).finally(() => fetching.stop());
  } catch (error) {
    if (!(error instanceof ControlApiError)) throw error;
    out.warning(`Could not fetch API keys: ${error.message}`);
    return undefined;
  }
  if (keys.length === 0) return undefined;
  if (keys.length === 1) return { key: keys[0], autoSelected: true };
  if (!ctx.interactive) {
    out.warning(
      'Multiple API keys found; none was selected. Run "ably accounts login" in a terminal to choose one.',
    );
    return undefined;
  }
  out.note("");
  out.note("Select an API key to use:");
  const key = await ctx.prompter.choose(
    "Select a key:",
    keys.map((k) => ({ name: `${k.name || "Unnamed key"} (${k.id})`, value: k })),
  );
  return { key, autoSelected: false };
}
