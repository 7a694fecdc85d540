/**
 * Moving an account's secrets into a store, or back to the config file: one locked write
 * per account, through the transaction, which orders the two places so a failure leaves
 * the secrets in one of them or both, never neither (into a store, the item is written
 * before the file drops the secrets; back, the file gets them before the item is
 * deleted). A shared OAuth session moves for every alias that uses it.
 */
import type { AblyConfig } from "../config/schema.ts";
import { accountsOf } from "../config/accounts.ts";
import { aliasesUsing } from "../config/sessions.ts";
import {
  credentialsLocation,
  FILE,
  secretOf,
  secretSlots,
  secretTableOf,
  setStoreMark,
} from "../config/credential-marks.ts";
import type { SecretStore } from "../credentials/store.ts";
import type { Engine } from "./engine.ts";
import { NotConfigured } from "./errors.ts";

export type MoveStatus = "moved" | "unchanged" | "no-credentials";

/** The store has no secrets for an account it is said to hold: nothing to move back. */
export class NothingStored extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NothingStored";
  }
}

/** The change for one account; `to` is a store's name or "file". */
export function planMove(
  config: AblyConfig,
  alias: string,
  to: string,
  store?: Pick<SecretStore, "label" | "place">,
): { changed: boolean; value: { status: MoveStatus; movedWith: string[] } } {
  const unchanged = (status: MoveStatus) => ({ changed: false, value: { status, movedWith: [] } });
  if (!Object.hasOwn(accountsOf(config), alias)) {
    throw new NotConfigured(alias, `Account "${alias}" is no longer configured.`);
  }
  const found = secretTableOf(config, alias);
  if (!found) return unchanged("no-credentials");
  if (credentialsLocation(config, alias) === to) return unchanged("unchanged");
  const slot = secretSlots(config).get(found.item);
  if (to === FILE && slot && secretOf(slot) === undefined) {
    throw new NothingStored(
      `${capitalised(store?.label ?? "the store")} has no tokens for account "${alias}" (${
        store?.place(found.item) ?? found.item
      }), so there is nothing to move. Log in again: ably accounts login --alias ${alias}`,
    );
  }
  if (to !== FILE && !hasSecret(found.table)) return unchanged("no-credentials");
  setStoreMark(config, alias, to);
  // Back in the file, the secrets take their places again (the official CLI's key order).
  if (to === FILE) {
    inOfficialOrder(found.table, TOKEN_ORDER);
    const apps = accountsOf(config)[alias].apps ?? {};
    for (const appId in apps) inOfficialOrder(apps[appId], APP_ORDER);
  }
  return { changed: true, value: { status: "moved", movedWith: sharedWith(config, alias) } };
}

/** Moves one account; `to` is a store's name or "file". */
export async function move(
  engine: Engine,
  alias: string,
  to: string,
): Promise<{ status: MoveStatus; movedWith: string[] }> {
  const config = await engine.read();
  const from = credentialsLocation(config, alias);
  const sync = from !== FILE || to !== FILE ? await engine.sync() : undefined;
  const store = sync ? await sync.store(to !== FILE ? to : from) : undefined;
  const { value } = await engine.update(
    (fresh) => planMove(fresh, alias, to, store),
    { cancellable: true, reads: [alias] },
  );
  return value;
}

/** The other aliases whose secrets a move of `alias` takes along (their session is shared). */
export function sharedWith(config: AblyConfig, alias: string): string[] {
  const key = accountsOf(config)[alias]?.oauthSessionKey;
  return key ? aliasesUsing(config, key).filter((other) => other !== alias) : [];
}

const TOKEN_ORDER = ["accessToken", "accessTokenExpiresAt", "oauthScope", "refreshToken"];
const APP_ORDER = ["apiKey", "appName", "keyId", "keyName"];

/** Reorders a table's keys in place: the official CLI's keys first, in its order, the rest as they were. */
function inOfficialOrder(table: Record<string, unknown>, order: string[]): void {
  const entries = Object.entries(table);
  const rank = (key: string) => {
    const at = order.indexOf(key);
    return at < 0 ? order.length : at;
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

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
