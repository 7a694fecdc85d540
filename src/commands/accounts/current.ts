/** `ably accounts current`: the current account, verified with the Control API. */
import type { Context } from "../../context.ts";
import { Cancelled, CliError } from "../../errors.ts";
import { accountsOf, appOf, currentAppIdOf } from "../../config/accounts.ts";
import type { AccountRecord } from "../../config/schema.ts";
import { credentialsLocation, OFFICIAL_CLI_NOTE } from "../../config/credential-marks.ts";
import { fixFor, type KeychainProblem } from "../../credentials/keychain.ts";
import { controlClientFor, isTokenProblem } from "./control-access.ts";
import { currentOrFail } from "./resolve.ts";

const UNVERIFIED = "Unable to verify account information. Your access token may have expired.";

export async function run(ctx: Context): Promise<void> {
  const { out } = ctx;
  const config = (await ctx.store.read()) ?? {};
  const alias = currentOrFail(config, "accountCurrent");
  const account = accountsOf(config)[alias];
  const local = localDetails(account, currentAppIdOf(config, alias));
  const credentials = credentialsLocation(config, alias);

  let me;
  let host: string | undefined;
  const spinner = out.spinner("Verifying the account with the Control API");
  try {
    const access = await controlClientFor(ctx, alias, account, config);
    host = access.host;
    me = await access.client.me();
    spinner.stop();
  } catch (error) {
    spinner.stop();
    if (error instanceof Cancelled) throw error;
    // Report honestly: a warning and the cached details, never an error followed by a result;
    // and say what happened: an expired or rejected token is only one of the reasons.
    const reason = (error as Error).message;
    out.verbose("control", "verifyFailed", `Verification failed: ${reason}`);
    const tokenProblem = isTokenProblem(error);
    // A keychain that cannot give the tokens is fixed at the keychain: the tokens are fine,
    // and logging in again would fix nothing.
    const keychain = error instanceof CliError && error.component === "keychain"
      ? error.context.problem as KeychainProblem
      : undefined;
    const summary = tokenProblem
      ? UNVERIFIED
      : keychain
      ? "Unable to verify account information: its tokens could not be read from the OS keychain."
      : host === undefined
      ? "Unable to verify account information."
      : `Unable to verify account information: the Control API at ${host} failed.`;
    out.warning(
      summary === UNVERIFIED ? `${UNVERIFIED} (${reason})` : `${summary.slice(0, -1)} (${reason}).`,
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
    if (keychain) {
      out.print(
        out.style.yellow(
          `${fixFor(keychain)} (the tokens in the OS keychain are fine; no new login is needed).`,
        ),
      );
    } else if (tokenProblem) {
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
    printLocal(ctx, local, credentials);
    return;
  }

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
  printLocal(ctx, local, credentials);
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

function printLocal(ctx: Context, local: LocalDetails, credentials: "keychain" | "file"): void {
  const { out } = ctx;
  if (credentials === "keychain") {
    out.print(`Tokens: OS keychain (${OFFICIAL_CLI_NOTE})`);
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
