/** `ably accounts current`: the current account, verified with the Control API. */
import type { Context } from "../../context.ts";
import { CliError } from "../../errors.ts";
import { readConfig } from "../../config/store.ts";
import { accountsOf, appOf, currentAlias, currentAppIdOf } from "../../config/accounts.ts";
import type { AccountRecord } from "../../config/schema.ts";
import { controlClientFor } from "./control-access.ts";

const UNVERIFIED = "Unable to verify account information. Your access token may have expired.";

export async function run(ctx: Context): Promise<void> {
  const { out } = ctx;
  const config = (await readConfig(ctx.settings.config.file)) ?? {};
  const alias = currentAlias(config);
  const account = alias === undefined ? undefined : accountsOf(config)[alias];
  if (alias === undefined || !account) {
    throw new CliError(
      'No account is currently selected. Use "ably accounts login" or "ably accounts switch" to select an account.',
      { component: "accountCurrent" },
    );
  }
  const local = localDetails(account, currentAppIdOf(config, alias));

  let me;
  try {
    const client = await controlClientFor(ctx, alias, account, config);
    me = await client.me();
  } catch (error) {
    // Report honestly: a warning and the cached details, never an error followed by a result.
    const reason = (error as Error).message;
    out.verbose("control", "verifyFailed", `Verification failed: ${reason}`);
    out.warning(`${UNVERIFIED} (${reason})`);
    out.result({
      account: {
        alias,
        cached: true,
        name: account.accountName,
        id: account.accountId,
        user: { email: account.userEmail },
        warning: UNVERIFIED,
        ...local,
      },
    });
    out.print(
      out.style.yellow(`Consider logging in again with "ably accounts login --alias ${alias}".`),
    );
    out.print(
      `Account (cached): ${account.accountName ?? "(no name)"} (${account.accountId ?? "?"})`,
    );
    if (account.userEmail) out.print(`User (cached): ${account.userEmail}`);
    printLocal(ctx, local);
    return;
  }

  out.result({
    account: {
      alias,
      name: me.account.name,
      id: me.account.id,
      user: { email: me.user.email },
      ...local,
    },
  });
  out.print(`Account: ${out.style.cyan(me.account.name)} (${me.account.id})`);
  out.print(`User: ${me.user.email}`);
  printLocal(ctx, local);
}

interface LocalDetails {
  appsConfigured: number;
  currentApp: { id: string; name: string } | null;
  currentKey: { id: string; label: string } | null;
}

function localDetails(account: AccountRecord, appId: string | undefined): LocalDetails {
  const app = appId ? appOf(account, appId) : undefined;
  const keyId = typeof app?.keyId === "string" ? app.keyId : undefined;
  return {
    appsConfigured: Object.keys(account.apps ?? {}).length,
    currentApp: appId ? { id: appId, name: String(app?.appName ?? appId) } : null,
    currentKey: appId && keyId
      ? {
        id: keyId.includes(".") ? keyId : `${appId}.${keyId}`,
        label: String(app?.keyName ?? "Unnamed key"),
      }
      : null,
  };
}

function printLocal(ctx: Context, local: LocalDetails): void {
  const { out } = ctx;
  out.print(`Apps configured: ${local.appsConfigured}`);
  if (local.currentApp) {
    out.print(`Current App: ${local.currentApp.name} (${local.currentApp.id})`);
  }
  if (local.currentKey) {
    out.print(`Current API Key: ${local.currentKey.id}`);
    out.print(`Key Label: ${local.currentKey.label}`);
  }
}
