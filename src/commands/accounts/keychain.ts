/**
 * `ably accounts keychain [ACCOUNT | --all] [--to-file]`: moves accounts' tokens
 * into the OS keychain, or back to the config file. Each account is one locked
 * write through the context's store, which orders the two stores so a failure
 * leaves the tokens in one place or both, never neither: into the keychain, the
 * item is written before the file drops the tokens; back, the file gets them
 * before the item is deleted. A shared OAuth session moves for every alias.
 */
import type { Context } from "../../context.ts";
import { CliError, usageError } from "../../errors.ts";
import { accountsOf } from "../../config/accounts.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { aliasesUsing } from "../../config/sessions.ts";
import type { KeychainOptions } from "./specs.ts";
import {
  credentialsLocation,
  keychainSlots,
  OFFICIAL_CLI_NOTE_PLURAL,
  secretOf,
  secretTableOf,
  setKeychainMark,
} from "../../config/credential-marks.ts";
import { KEYCHAIN_SERVICE } from "../../credentials/keychain.ts";
import { currentOrFail, noAccounts, resolveOrFail } from "./resolve.ts";

const COMPONENT = "accountKeychain";

type Status = "moved" | "unchanged" | "no-credentials";

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
    const { prune } = await import("./prune.ts");
    return await prune(ctx, Boolean(options.force));
  }
  const config = (await ctx.store.read()) ?? {};
  const targets = options.all ? Object.keys(accountsOf(config)) : [
    options.accountAliasOrId !== undefined
      ? resolveOrFail(config, options.accountAliasOrId)
      : currentOrFail(config, COMPONENT),
  ];
  if (targets.length === 0) throw noAccounts(COMPONENT);
  const to = options.toFile ? "file" : "keychain";
  if (to === "keychain") await ctx.store.checkKeychain();
  // A shared OAuth session moves for every alias using it: said before, and asked about on
  // a terminal when the user named one account (--all moves them all anyway).
  if (!options.all && !(await confirmShared(ctx, config, targets[0], to))) {
    out.warning("Move cancelled.");
    return;
  }

  const accounts: {
    alias: string;
    credentials: "keychain" | "file";
    status: Status;
    movedWith?: string[];
  }[] = [];
  for (const alias of targets) {
    const { value: [status, movedWith] } = await ctx.store.update((fresh) => {
      if (!Object.hasOwn(accountsOf(fresh), alias)) {
        throw new CliError(`Account "${alias}" is no longer configured.`, {
          component: COMPONENT,
        });
      }
      const found = secretTableOf(fresh, alias);
      if (!found) return { changed: false, value: ["no-credentials" as Status, []] };
      if (credentialsLocation(fresh, alias) === to) {
        return { changed: false, value: ["unchanged" as Status, []] };
      }
      const slot = keychainSlots(fresh).get(found.item);
      if (to === "file" && slot && secretOf(slot) === undefined) {
        throw new CliError(
          `The OS keychain has no tokens for account "${alias}" (service ${KEYCHAIN_SERVICE}, account ${found.item}), so there is nothing to move. Log in again: ably accounts login --alias ${alias}`,
          { component: COMPONENT },
        );
      }
      if (to === "keychain" && !hasSecret(found.table)) {
        return { changed: false, value: ["no-credentials" as Status, []] };
      }
      setKeychainMark(fresh, alias, to === "keychain");
      // Back in the file, the tokens take their places again (the official CLI's key order).
      if (to === "file") inOfficialOrder(found.table);
      return { changed: true, value: ["moved" as Status, sharedWith(fresh, alias)] };
    }, { cancellable: true, reads: [alias] });
    accounts.push({
      alias,
      credentials: status === "no-credentials" ? "file" : to,
      status,
      ...(movedWith.length ? { movedWith } : {}),
    });
    out.verbose("keychain", "moved", `${alias}: ${status}`);
  }

  out.result({ accounts });
  if (out.json) return;
  for (const { alias, status, movedWith: shared = [] } of accounts) {
    if (status === "moved") {
      out.success(
        to === "keychain"
          ? `Moved the tokens of account ${alias} into the OS keychain (service ${KEYCHAIN_SERVICE}).`
          : `Moved the tokens of account ${alias} back to the config file.`,
      );
      if (shared.length) out.note(`The OAuth session is shared: ${shared.join(", ")} moved too.`);
    } else if (status === "unchanged") {
      out.print(
        `Account ${alias}: tokens already in the ${
          to === "keychain" ? "OS keychain" : "config file"
        }.`,
      );
    } else {
      out.print(`Account ${alias}: no tokens to move.`);
    }
  }
  if (to === "keychain" && accounts.some((a) => a.status === "moved")) {
    out.note(`For accounts whose tokens are in the OS keychain, ${OFFICIAL_CLI_NOTE_PLURAL}.`);
  }
}

const OFFICIAL_ORDER = ["accessToken", "accessTokenExpiresAt", "oauthScope", "refreshToken"];

/** Reorders a table's keys in place: the official CLI's token keys first, the rest as they were. */
function inOfficialOrder(table: Record<string, unknown>): void {
  const entries = Object.entries(table);
  const rank = (key: string) => {
    const at = OFFICIAL_ORDER.indexOf(key);
    return at < 0 ? OFFICIAL_ORDER.length : at;
  };
  const sorted = entries.map((entry, index) => ({ entry, index })).sort((a, b) =>
    rank(a.entry[0]) - rank(b.entry[0]) || a.index - b.index
  );
  for (const [key] of entries) delete table[key];
  for (const { entry: [key, value] } of sorted) table[key] = value;
}

function hasSecret(table: Record<string, unknown>): boolean {
  return typeof table.accessToken === "string" || typeof table.refreshToken === "string";
}

/**
 * Says which other aliases a move takes along (their session is shared), before it
 * happens; on a terminal, asks. False: the user said no.
 */
async function confirmShared(
  ctx: Context,
  config: AblyConfig,
  alias: string,
  to: "keychain" | "file",
): Promise<boolean> {
  if (credentialsLocation(config, alias) === to) return true;
  const others = sharedWith(config, alias);
  if (others.length === 0) return true;
  const names = others.map((other) => `"${other}"`).join(", ");
  const where = to === "keychain" ? "into the OS keychain" : "back to the config file";
  ctx.out.note(
    `The OAuth session of "${alias}" is shared with ${names}: their tokens move ${where} too.`,
  );
  if (!ctx.interactive) return true;
  return await ctx.prompter.confirm(`Move the tokens of "${alias}" and ${names} ${where}?`);
}

function sharedWith(config: AblyConfig, alias: string): string[] {
  const key = accountsOf(config)[alias]?.oauthSessionKey;
  return key ? aliasesUsing(config, key).filter((other) => other !== alias) : [];
}
