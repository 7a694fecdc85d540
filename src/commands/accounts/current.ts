/** `ably accounts current`: the current account, verified with the Control API. */
import type { Context } from "../../context.ts";
import { accountsOf, appOf, currentAppIdOf } from "../../config/accounts.ts";
import type { AccountRecord } from "../../config/schema.ts";
import { credentialsLocation, FILE } from "../../config/credential-marks.ts";
import { officialCliNote } from "../shared/stores.ts";
import type { Unverified } from "../../accounts/control.ts";
import { currentOrFail } from "../shared/resolve.ts";

const UNVERIFIED = "Unable to verify account information. Your access token may have expired.";

export async function run(ctx: Context): Promise<void> {
  const { out } = ctx;
  const config = await ctx.accounts.read();
  const alias = currentOrFail(config, "accountCurrent");
  const account = accountsOf(config)[alias];
  const local = localDetails(account, currentAppIdOf(config, alias));
  const credentials = credentialsLocation(config, alias);
  const spinner = out.spinner("Verifying the account with the Control API");
  const verified = await ctx.accounts.verify(alias, config).finally(() => spinner.stop());
  if (verified.kind !== "verified") {
    return await reportCached(ctx, alias, account, local, credentials, verified);
  }
  const { me } = verified;
  out.result({
    account: {
      alias,
      credentials,
      name: me.account.name,
      id: me.account.id,
      user: { email: me.user.email },
      ...local,
    },
  });
  out.print(`Account: ${out.style.cyan(me.account.name)} (${me.account.id})`);
  out.print(`User: ${me.user.email}`);
  await printLocal(ctx, local, credentials);
}

/**
 * Report honestly: a warning and the cached details, never an error followed by a result;
 * and say what happened: an expired or rejected token is only one of the reasons.
 */
async function reportCached(
  ctx: Context,
  alias: string,
  account: AccountRecord,
  local: LocalDetails,
  credentials: string,
  failure: Unverified,
): Promise<void> {
  const { out } = ctx;
  out.verbose("control", "verifyFailed", `Verification failed: ${failure.reason}`);
  const store = credentials === FILE ? undefined : await ctx.accounts.store(credentials);
  const summary = failure.kind === "token"
    ? UNVERIFIED
    : failure.kind === "store"
    ? `Unable to verify account information: its tokens could not be read from ${store?.label}.`
    : failure.host === undefined
    ? "Unable to verify account information."
    : `Unable to verify account information: the Control API at ${failure.host} failed.`;
  out.warning(
    failure.kind === "token"
      ? `${UNVERIFIED} (${failure.reason})`
      : `${summary.slice(0, -1)} (${failure.reason}).`,
  );
  out.result({
    account: {
      alias,
      cached: true,
      credentials,
      name: account.accountName,
      id: account.accountId,
      user: { email: account.userEmail },
      warning: summary,
      ...local,
    },
  });
  // A store that cannot give the tokens is fixed at the store: the tokens are fine.
  if (failure.kind === "store") {
    out.print(
      out.style.yellow(
        `${failure.fix}. The tokens in ${store?.label} are fine: no new login is needed.`,
      ),
    );
  } else if (failure.kind === "token") {
    out.print(
      out.style.yellow(
        ctx.settings.accessToken
          ? "ABLY_ACCESS_TOKEN was not accepted: fix it, or unset it to use this account's own tokens."
          : `Consider logging in again with "ably accounts login --alias ${alias}".`,
      ),
    );
  }
  out.print(
    `Account (cached): ${account.accountName ?? "(no name)"} (${account.accountId ?? "?"})`,
  );
  if (account.userEmail) out.print(`User (cached): ${account.userEmail}`);
  await printLocal(ctx, local, credentials);
}

interface LocalDetails {
  appsConfigured: number;
  currentApp: { id: string; name: string } | null;
  currentKey: { id: string; label: string } | null;
}

function localDetails(account: AccountRecord, appId: string | undefined): LocalDetails {
  const app = appId ? appOf(account, appId) : undefined;
  // Older or hand-edited configs hold only the key itself (`appId.keyId:secret`), as the
  // official CLI derives it.
  const keyId = typeof app?.keyId === "string"
    ? app.keyId
    : typeof app?.apiKey === "string" && app.apiKey.includes(":")
    ? app.apiKey.split(":")[0]
    : undefined;
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

async function printLocal(ctx: Context, local: LocalDetails, credentials: string): Promise<void> {
  const { out } = ctx;
  if (credentials !== FILE) {
    const store = await ctx.accounts.store(credentials);
    out.print(`Tokens: ${store.title} (${officialCliNote(store, null)})`);
  }
  out.print(`Apps configured: ${local.appsConfigured}`);
  if (local.currentApp) {
    out.print(`Current App: ${local.currentApp.name} (${local.currentApp.id})`);
  }
  if (local.currentKey) {
    out.print(`Current API Key: ${local.currentKey.id}`);
    out.print(`Key Label: ${local.currentKey.label}`);
  }
}
