/**
 * The choices a login makes after authorization: which account, which alias,
 * which app and key. On a terminal they are asked; otherwise the first or only
 * option is taken with a warning, never a prompt.
 */
import type { Reporter } from "../../output/reporter.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { aliasFromName, aliasProblem, uniqueAlias } from "../../config/alias.ts";
import { accountsOf } from "../../config/accounts.ts";
import type { App as ControlApp, ControlClient, Key, Me } from "../../control/api.ts";
import { ask, askYesNo, canAsk, choose, INTERRUPTED } from "../../prompt/choose.ts";

export async function chooseAccount(
  out: Reporter,
  me: Me,
  remote: { id: string; name: string }[],
): Promise<{ id: string; name: string } | typeof INTERRUPTED> {
  if (remote.length === 0) return me.account;
  if (remote.length === 1) return remote[0];
  if (out.json || !canAsk()) {
    const [first] = remote;
    out.warning(
      `Multiple accounts found (${remote.length}); auto-selected ${first.name} (${first.id}). Run 'ably accounts login' in a terminal to choose.`,
    );
    return first;
  }
  return await choose(
    "Select an account:",
    remote.map((a) => ({ name: `${a.name} (${a.id})`, value: a })),
  );
}

export async function chooseAlias(
  out: Reporter,
  config: AblyConfig,
  account: { id: string; name: string },
): Promise<string | typeof INTERRUPTED> {
  const base = aliasFromName(account.name);
  const unique = uniqueAlias(config, base, account.id);
  if (unique === base) return base;
  const holder = accountsOf(config)[base]?.accountId ?? "unknown";
  if (out.json || !canAsk()) {
    out.warning(
      `Alias "${base}" is already used by a different account (${holder}); storing this login as "${unique}" instead.`,
    );
    return unique;
  }
  out.print();
  out.print(
    `An account with alias "${base}" already exists (account ID: ${holder}) and would be overwritten.`,
  );
  const different = await askYesNo("Would you like to use a different alias?");
  if (different === INTERRUPTED) return INTERRUPTED;
  if (!different) return base;
  const typed = await ask("Enter an alias for this account:", {
    default: unique,
    validate: (value) => aliasProblem(value.toLowerCase()),
  });
  return typed === INTERRUPTED ? INTERRUPTED : typed.trim().toLowerCase();
}

export async function chooseApp(
  out: Reporter,
  client: ControlClient,
  accountId: string,
): Promise<{ app: ControlApp; autoSelected: boolean } | undefined | typeof INTERRUPTED> {
  let apps: ControlApp[];
  try {
    apps = await client.apps(accountId);
  } catch (error) {
    out.warning(`Could not fetch apps: ${(error as Error).message}`);
    return undefined;
  }
  if (apps.length === 1) return { app: apps[0], autoSelected: true };
  const interactive = !out.json && canAsk();
  if (apps.length > 1) {
    if (!interactive) {
      out.warning(
        "Multiple apps found; cannot auto-select without a terminal. Run 'ably apps switch' in a terminal to choose one.",
      );
      return undefined;
    }
    out.print();
    out.print("Select an app to use:");
    const app = await choose(
      "Select an app:",
      apps.map((a) => ({ name: `${a.name} (${a.id})`, value: a })),
    );
    return app === INTERRUPTED ? app : { app, autoSelected: false };
  }
  if (!interactive) {
    out.warning("No apps found in this account. Run 'ably apps create' to create one.");
    return undefined;
  }
  out.print();
  out.print("No apps found in your account.");
  const create = await askYesNo("Would you like to create your first app now?");
  if (create !== true) return create === INTERRUPTED ? INTERRUPTED : undefined;
  const name = await ask("Enter a name for your app:", {
    validate: (value) => (value ? undefined : "App name cannot be empty"),
  });
  if (name === INTERRUPTED) return INTERRUPTED;
  out.progress(`Creating app ${name.trim()}`);
  try {
    const app = await client.createApp(accountId, name.trim());
    out.success("App created successfully.");
    return { app, autoSelected: false };
  } catch (error) {
    out.warning(`Failed to create app: ${(error as Error).message}`);
    return undefined;
  }
}

export async function chooseKey(
  out: Reporter,
  client: ControlClient,
  app: ControlApp,
): Promise<{ key: Key; autoSelected: boolean } | undefined | typeof INTERRUPTED> {
  let keys: Key[];
  try {
    keys = await client.keys(app.id);
  } catch (error) {
    out.warning(`Could not fetch API keys: ${(error as Error).message}`);
    return undefined;
  }
  if (keys.length === 0) return undefined;
  if (keys.length === 1) return { key: keys[0], autoSelected: true };
  if (out.json || !canAsk()) {
    out.warning(
      "Multiple API keys found; cannot auto-select without a terminal. Run 'ably auth keys switch' in a terminal to choose one.",
    );
    return undefined;
  }
  out.print();
  out.print("Select an API key to use:");
  const key = await choose(
    "Select a key:",
    keys.map((k) => ({ name: `${k.name || "Unnamed key"} (${k.id})`, value: k })),
  );
  return key === INTERRUPTED ? key : { key, autoSelected: false };
}
