/**
 * `ably accounts keychain [ACCOUNT | --all] [--to-file] [--prune]`: moves accounts' tokens
 * into the OS keychain, or back to the config file (each account one locked write by the
 * accounts service, which orders the two places so a failure leaves the tokens in one of
 * them or both, never neither); or prunes the keychain items no account uses. A shared
 * OAuth session moves for every alias.
 */
import type { Context } from "../../context.ts";
import { usageError } from "../../errors.ts";
import { accountsOf } from "../../config/accounts.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { aliasesUsing } from "../../config/sessions.ts";
import { credentialsLocation, FILE } from "../../config/credential-marks.ts";
import type { MoveStatus } from "../../accounts/move.ts";
import type { SecretStore } from "../../credentials/store.ts";
import type { KeychainOptions } from "./specs.ts";
import { currentOrFail, noAccounts, resolveOrFail } from "../shared/resolve.ts";
import { capitalised, officialCliNote } from "../shared/stores.ts";

/** The store this command moves tokens into. */
const STORE = "keychain";

export async function run(ctx: Context, options: KeychainOptions): Promise<void> {
  const { out } = ctx;
  if (options.all && options.accountAliasOrId !== undefined) {
    throw usageError("--all moves every account; do not name one as well.");
  }
  if (options.prune) {
    if (options.all || options.toFile || options.accountAliasOrId !== undefined) {
      throw usageError(
        "--prune works on keychain items no account uses; do not name an account, --all or --to-file.",
      );
    }
    const { prune } = await import("../shared/prune.ts");
    return await prune(ctx, STORE, Boolean(options.force));
  }
  const config = await ctx.accounts.read();
  const targets = options.all ? Object.keys(accountsOf(config)) : [
    options.accountAliasOrId !== undefined
      ? resolveOrFail(config, options.accountAliasOrId)
      : currentOrFail(config, "accountKeychain"),
  ];
  if (targets.length === 0) throw noAccounts("accountKeychain");
  const to = options.toFile ? FILE : STORE;
  const store = await ctx.accounts.store(STORE);
  if (to !== FILE) await ctx.accounts.checkStore(to);
  // A shared OAuth session moves for every alias using it: said before, and asked about on
  // a terminal when the user named one account (--all moves them all anyway).
  if (!options.all && !(await confirmShared(ctx, config, targets[0], to, store))) {
    out.warning("Move cancelled.");
    return;
  }
  const accounts: {
    alias: string;
    credentials: string;
    status: MoveStatus;
    movedWith?: string[];
  }[] = [];
  for (const alias of targets) {
    const { status, movedWith } = await ctx.accounts.move(alias, to);
    accounts.push({
      alias,
      credentials: status === "no-credentials" ? FILE : to,
      status,
      ...(movedWith.length ? { movedWith } : {}),
    });
    out.verbose("credentials", "moved", `${alias}: ${status}`);
  }
  out.result({ accounts });
  if (!out.json) report(ctx, accounts, to, store);
}

function report(
  ctx: Context,
  accounts: { alias: string; status: MoveStatus; movedWith?: string[] }[],
  to: string,
  store: SecretStore,
): void {
  const { out } = ctx;
  for (const { alias, status, movedWith: shared = [] } of accounts) {
    if (status === "moved") {
      out.success(
        to !== FILE
          ? `Moved the tokens and API keys of account ${alias} into ${store.label} (${store.place()}).`
          : `Moved the tokens and API keys of account ${alias} back to the config file.`,
      );
      if (shared.length) out.note(`The OAuth session is shared: ${shared.join(", ")} moved too.`);
    } else if (status === "unchanged") {
      out.print(
        `Account ${alias}: tokens already in the ${to !== FILE ? store.title : "config file"}.`,
      );
    } else {
      out.print(`Account ${alias}: no tokens to move.`);
    }
  }
  const moved = accounts.filter((a) => a.status === "moved");
  if (to !== FILE && moved.length) {
    const one = moved.length === 1 ? moved[0].alias : "ALIAS";
    out.note(`${capitalised(officialCliNote(store, one))}.`);
  }
}

/**
 * Says which other aliases a move takes along (their session is shared), before it
 * happens; on a terminal, asks. False: the user said no.
 */
async function confirmShared(
  ctx: Context,
  config: AblyConfig,
  alias: string,
  to: string,
  store: SecretStore,
): Promise<boolean> {
  if (credentialsLocation(config, alias) === to) return true;
  const key = accountsOf(config)[alias]?.oauthSessionKey;
  const others = key ? aliasesUsing(config, key).filter((other) => other !== alias) : [];
  if (others.length === 0) return true;
  const names = others.map((other) => `"${other}"`).join(", ");
  const where = to !== FILE ? `into ${store.label}` : "back to the config file";
  ctx.out.note(
    `The OAuth session of "${alias}" is shared with ${names}: their tokens move ${where} too.`,
  );
  if (!ctx.interactive) return true;
  return await ctx.prompter.confirm(`Move the tokens of "${alias}" and ${names} ${where}?`);
}
