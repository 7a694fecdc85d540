/**
 * Store items of this CLI that no configured account uses: what the official CLI's logout
 * leaves behind (it removes the file entry and cannot know the item), or what a crash
 * between a store write and the file's rename leaves. Found for `accounts list` and
 * `status`, and pruned: a session's tokens revoked at the issuer its name records
 * (`…session:<email>::<issuer host>`), then the item deleted; a legacy token (which cannot
 * be revoked) or an app's API key (which stays valid in its app) is just deleted. An item
 * whose revocation failed is kept, so running it again can still revoke it.
 *
 * Only this config's own items are orphans: item names carry the config's namespace, so
 * another config directory's items are told apart without guessing and never touched, and
 * an item named before namespaces, which any config may still use, is only reported.
 * Pruned under the config lock: an item a concurrent login is storing is in its file by
 * the time the lock is ours, so it is never taken for an orphan.
 */
import type { AblyConfig } from "../config/schema.ts";
import {
  describeItem,
  namespaceOf,
  storesUsed,
  stringsOf,
  tokensOf,
} from "../config/credential-marks.ts";
import { Cancelled } from "../errors.ts";
import type { RevokeResult } from "../oauth/revoke.ts";
import { PROBE_ITEM, type SecretStore } from "../credentials/store.ts";
import type { Engine } from "./engine.ts";

export type Orphans =
  /** The items no account uses (possibly none). */
  | {
    kind: "found";
    store: SecretStore;
    /** This config's items no account uses: the ones to prune. */
    items: string[];
    /** Items of other config directories (their namespaces), left alone. */
    others: number;
    /** Items named before namespaces that no account here uses: any config's, so kept. */
    unclaimed: string[];
  }
  /** This store cannot enumerate its items. */
  | { kind: "unsupported"; store: SecretStore }
  /** The store could not be asked (locked, unavailable…): the message with its fix. */
  | { kind: "failed"; reason: string };

/**
 * The orphaned items of `store`, or `undefined` when neither the config nor
 * ABLY_CLI_CREDENTIAL_STORE suggests it is used (its module is then never loaded: a
 * file-only config's commands start as fast as ever). `always`: look even so (`--prune`).
 */
export async function orphans(
  engine: Engine,
  config: AblyConfig,
  store: string,
  always = false,
): Promise<Orphans | undefined> {
  if (!always && !storesUsed(config).has(store) && engine.settings.credentialStore !== store) {
    return undefined;
  }
  try {
    const sync = await engine.sync();
    const definition = await sync.store(store);
    const names = await sync.list(store);
    if (names === undefined) return { kind: "unsupported", store: definition };
    return { kind: "found", store: definition, ...sortedOut(config, names, sync.items(config)) };
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    return { kind: "failed", reason: error instanceof Error ? error.message : String(error) };
  }
}

/** A store's item names sorted by whose they are: this config's orphans, others', unclaimed. */
function sortedOut(config: AblyConfig, names: string[], used: Map<string, string>) {
  const ours = namespaceOf(config);
  const items: string[] = [];
  const unclaimed: string[] = [];
  let others = 0;
  for (const name of names) {
    if (used.has(name)) continue;
    const { namespace } = describeItem(name);
    // A probe left by a run that stopped mid-check holds nothing: anyone may delete it.
    if ((namespace !== undefined && namespace === ours) || name === PROBE_ITEM) items.push(name);
    else if (namespace !== undefined) others++;
    else unclaimed.push(name);
  }
  return { items, others, unclaimed };
}

type Outcome = RevokeResult | {
  status: "skipped";
  reason: "access-token" | "unknown-issuer" | "api-key";
};

export interface Pruned {
  item: string;
  revocation: { access?: Outcome; refresh?: Outcome };
  deleted: boolean;
  /** Why the item was left: its revocation failed, an account uses it now, or it is gone. */
  kept?: "revocation-failed" | "in-use" | "gone";
}

/** Prunes `items` of `store` under the lock, each checked again against the file then. */
export async function prune(engine: Engine, store: string, items: string[]): Promise<Pruned[]> {
  const { value } = await engine.update(async (fresh) => {
    const sync = await engine.sync();
    const used = sync.items(fresh);
    const results: Pruned[] = [];
    for (const item of items) {
      results.push(
        used.has(item)
          ? { item, revocation: {}, deleted: false, kept: "in-use" }
          : await pruneOne(engine, store, item),
      );
    }
    return { changed: false, value: results };
  }, { cancellable: true });
  return value;
}

/** Revokes one orphaned item's tokens at the issuer its name records, then deletes it. */
async function pruneOne(engine: Engine, store: string, item: string): Promise<Pruned> {
  const sync = await engine.sync();
  const secret = await sync.secret(store, item);
  if (secret === undefined) return { item, revocation: {}, deleted: false, kept: "gone" };
  const tokens = tokensOf(secret);
  engine.out.protect(stringsOf(secret));
  const revocation = await revokeHeld(engine, item, tokens);
  if ([revocation.access, revocation.refresh].some((r) => r?.status === "failed")) {
    return { item, revocation, deleted: false, kept: "revocation-failed" };
  }
  return { item, revocation, deleted: await sync.remove(store, item) };
}

/** What can be revoked of an item's secret, by what its name says it holds. */
async function revokeHeld(
  engine: Engine,
  item: string,
  tokens: { accessToken?: string; refreshToken?: string },
): Promise<Pruned["revocation"]> {
  const { kind, issuer } = describeItem(item);
  if (kind === "account") return { access: { status: "skipped", reason: "access-token" } };
  if (kind === "key") return { access: { status: "skipped", reason: "api-key" } };
  if (kind !== "session" || issuer === undefined) {
    const skipped = { status: "skipped", reason: "unknown-issuer" } as const;
    return { access: skipped, refresh: skipped };
  }
  // Only ever to the server that minted them: the issuer in the session key.
  engine.out.verbose("oauth", "revokeStart", `Revoking OAuth tokens at ${issuer}`, {
    host: issuer,
  });
  const { revokeTokenPair } = await import("../oauth/revoke.ts");
  return await revokeTokenPair(
    { access: tokens.accessToken, refresh: tokens.refreshToken },
    {
      host: issuer,
      timeoutMs: engine.settings.oauthTimeoutMs,
      signal: engine.signal,
      fetch: engine.fetch,
    },
  );
}
