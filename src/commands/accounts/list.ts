/** `ably accounts list`: the accounts in the config, no network. */
import type { Context } from "../../context.ts";
import { accountsOf, appOf, currentAlias, currentAppIdOf } from "../../config/accounts.ts";
import {
  credentialsLocation,
  FILE,
  OFFICIAL_CLI_NOTE_PLURAL,
} from "../../config/credential-marks.ts";
import { noAccounts } from "../shared/resolve.ts";
import { orphansInUse, orphansLine } from "../shared/orphans.ts";

export async function run(ctx: Context): Promise<void> {
  const { out } = ctx;
  const config = await ctx.accounts.read();
  const entries = Object.entries(accountsOf(config));
  if (entries.length === 0) {
    const error = noAccounts("accountList");
    error.context.accounts = [];
    throw error;
  }
  const current = currentAlias(config);
  const rows = entries.map(([alias, account]) => {
    const appsConfigured = Object.keys(account.apps ?? {}).length;
    const appId = alias === current ? currentAppIdOf(config, alias) : undefined;
    const appName = appId ? String(appOf(account, appId)?.appName ?? appId) : undefined;
    return {
      alias,
      appsConfigured,
      ...(appId ? { currentApp: { id: appId, name: appName } } : {}),
      credentials: credentialsLocation(config, alias),
      ...(account.accountId !== undefined ? { id: account.accountId } : {}),
      isCurrent: alias === current,
      ...(account.accountName !== undefined ? { name: account.accountName } : {}),
      ...(account.userEmail !== undefined ? { user: account.userEmail } : {}),
    };
  });
  // Only for a config (or setting) that uses a store: a file-only list never loads one.
  const orphans = await orphansInUse(ctx, config);
  for (const found of orphans) {
    if (found.kind === "failed") {
      out.verbose("credentials", "orphans", `Could not look for orphaned items: ${found.reason}`);
    }
  }
  // By store: the items each store holds that no account uses.
  const orphaned = Object.fromEntries(
    orphans.flatMap((found) => found.kind === "found" ? [[found.store.name, found.items]] : []),
  );
  out.result({
    accounts: rows,
    ...(Object.keys(orphaned).length ? { orphanedItems: orphaned } : {}),
    ...(current !== undefined && Object.hasOwn(accountsOf(config), current)
      ? { currentAccount: current }
      : {}),
  });
  if (out.json) return;

  const { style } = out;
  const storeNames = new Set(rows.map((row) => row.credentials).filter((name) => name !== FILE));
  const stores = new Map(
    await Promise.all(
      [...storeNames].map(async (name) => [name, await ctx.accounts.store(name)] as const),
    ),
  );
  out.print(`Found ${rows.length} account${rows.length === 1 ? "" : "s"}:`);
  out.print();
  for (const row of rows) {
    const title = `Account: ${row.alias}${row.isCurrent ? " (current)" : ""}`;
    out.print(
      row.isCurrent
        ? `${style.green("▶")} ${style.green(style.bold(title))}`
        : `  ${style.bold(title)}`,
    );
    const label = (text: string) => style.dim(`${text}:`);
    if (row.name !== undefined || row.id !== undefined) {
      const name = row.name ?? "(no name)";
      out.print(`  ${label("Name")} ${name}${row.id ? ` (${row.id})` : ""}`);
    }
    if (row.user !== undefined) out.print(`  ${label("User")} ${row.user}`);
    out.print(`  ${label("Apps configured")} ${row.appsConfigured}`);
    if (row.currentApp) {
      out.print(`  ${label("Current app")} ${row.currentApp.name} (${row.currentApp.id})`);
    }
    const store = stores.get(row.credentials);
    if (store) out.print(`  ${label("Tokens")} ${store.title}`);
    out.print();
  }
  for (const store of stores.values()) {
    out.note(`For accounts whose tokens are in ${store.label}, ${OFFICIAL_CLI_NOTE_PLURAL}.`);
  }
  for (const found of orphans) {
    if (found.kind === "found" && found.items.length) {
      out.note(orphansLine(found.store, found.items.length));
    }
  }
}
