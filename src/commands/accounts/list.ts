/** `ably accounts list`: the accounts in the config, no network. */
import type { Context } from "../../context.ts";
import { accountsOf, appOf, currentAlias, currentAppIdOf } from "../../config/accounts.ts";
import { credentialsLocation } from "../../config/credential-marks.ts";
import type { AblyConfig } from "../../config/schema.ts";
import type { SecretStore } from "../../credentials/store.ts";
import { noAccounts } from "../shared/resolve.ts";
import {
  capitalised,
  officialCliNote,
  orphansInUse,
  orphansLine,
  storesNamed,
} from "../shared/stores.ts";

interface Row {
  alias: string;
  appsConfigured: number;
  currentApp?: { id: string; name?: string };
  credentials: string;
  id?: string;
  isCurrent: boolean;
  name?: string;
  user?: string;
}

export async function run(ctx: Context): Promise<void> {
  const { out } = ctx;
  const config = await ctx.accounts.read();
  const rows = rowsOf(config);
  if (rows.length === 0) {
    const error = noAccounts("accountList");
    error.context.accounts = [];
    throw error;
  }
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
  const current = rows.find((row) => row.isCurrent)?.alias;
  out.result({
    accounts: rows,
    ...(Object.keys(orphaned).length ? { orphanedItems: orphaned } : {}),
    ...(current !== undefined ? { currentAccount: current } : {}),
  });
  if (out.json) return;
  const stores = await storesNamed(ctx, rows.map((row) => row.credentials));
  printRows(ctx, rows, stores);
  for (const store of stores.values()) {
    out.note(`${capitalised(officialCliNote(store))}.`);
  }
  for (const found of orphans) {
    if (found.kind === "found" && found.items.length) {
      out.note(orphansLine(found.store, found.items.length));
    }
  }
}

/** One row per account, in file order; the current one with its current app. */
function rowsOf(config: AblyConfig): Row[] {
  const current = currentAlias(config);
  return Object.entries(accountsOf(config)).map(([alias, account]) => {
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
}

function printRows(ctx: Context, rows: Row[], stores: Map<string, SecretStore>): void {
  const { out } = ctx;
  const { style } = out;
  const label = (text: string) => style.dim(`${text}:`);
  out.print(`Found ${rows.length} account${rows.length === 1 ? "" : "s"}:`);
  out.print();
  for (const row of rows) {
    const title = `Account: ${row.alias}${row.isCurrent ? " (current)" : ""}`;
    out.print(
      row.isCurrent
        ? `${style.green("▶")} ${style.green(style.bold(title))}`
        : `  ${style.bold(title)}`,
    );
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
}
