/** `ably accounts list`: the accounts in the config, no network. */
import type { Context } from "../../context.ts";
import { accountsOf, appOf, currentAlias, currentAppIdOf } from "../../config/accounts.ts";
import { credentialsLocation, OFFICIAL_CLI_NOTE_PLURAL } from "../../config/credential-marks.ts";
import { noAccounts } from "./resolve.ts";
import { orphanedKeychainItems, orphansLine } from "./orphans.ts";

export async function run(ctx: Context): Promise<void> {
  const { out } = ctx;
  const config = (await ctx.store.read()) ?? {};
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
  // Only for a config (or setting) that uses the keychain: a file-only list never loads it.
  const orphans = await orphanedKeychainItems(ctx, config);
  if (orphans?.kind === "failed") {
    out.verbose(
      "keychain",
      "orphans",
      `Could not look for orphaned keychain items: ${orphans.reason}`,
    );
  }
  out.result({
    accounts: rows,
    ...(orphans?.kind === "found" ? { orphanedKeychainItems: orphans.items } : {}),
    ...(current !== undefined && Object.hasOwn(accountsOf(config), current)
      ? { currentAccount: current }
      : {}),
  });
  if (out.json) return;

  const { style } = out;
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
    if (row.credentials === "keychain") out.print(`  ${label("Tokens")} OS keychain`);
    out.print();
  }
  if (rows.some((row) => row.credentials === "keychain")) {
    out.note(`For accounts whose tokens are in the OS keychain, ${OFFICIAL_CLI_NOTE_PLURAL}.`);
  }
  if (orphans?.kind === "found" && orphans.items.length) {
    out.note(orphansLine(orphans.items.length));
  }
}
