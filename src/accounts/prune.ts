/**
 * Store items of this CLI that no configured account uses: what the official CLI's logout
 * leaves behind (it removes the file entry and cannot know the item), or what a crash
 * between a store write and the file's rename leaves. Found for `accounts list` and
 * `status`, and pruned: each revoked at the issuer its name records (`<email>::<issuer
 * host>`), then deleted; a legacy token item (`account:<alias>`) cannot be revoked and is
 * just deleted. An item whose revocation failed is kept, so running it again can still
 * revoke it. Pruned under the config lock: an item a concurrent login is storing is in its
 * file by the time the lock is ours, so it is never taken for an orphan.
 */
import type { AblyConfig } from "../config/schema.ts";
import { storesUsed, tokensOf } from "../config/credential-marks.ts";
import { Cancelled } from "../errors.ts";
import { type RevokeResult, revokeTokenPair } from "../oauth/revoke.ts";
import type { SecretStore } from "../credentials/store.ts";
import type { Engine } from "./engine.ts";

export type Orphans =
  /** The items no account uses (possibly none). */
  | { kind: "found"; store: SecretStore; items: string[] }
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
    const used = sync.items(config);
    return { kind: "found", store: definition, items: names.filter((name) => !used.has(name)) };
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    return { kind: "failed", reason: error instanceof Error ? error.message : String(error) };
  }
}

type Outcome = RevokeResult | { status: "skipped"; reason: "legacy-token" | "unknown-issuer" };

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
  engine.out.protect([secret, tokens.accessToken, tokens.refreshToken]);
  let revocation: Pruned["revocation"];
  const separator = item.lastIndexOf("::");
  if (item.startsWith("account:")) {
    revocation = { access: { status: "skipped", reason: "legacy-token" } };
  } else if (separator < 0 || separator + 2 >= item.length) {
    const skipped = { status: "skipped", reason: "unknown-issuer" } as const;
    revocation = { access: skipped, refresh: skipped };
  } else {
    // Only ever to the server that minted them: the issuer in the session key.
    const host = item.slice(separator + 2);
    engine.out.verbose("oauth", "revokeStart", `Revoking OAuth tokens at ${host}`, { host });
    revocation = await revokeTokenPair(
      { access: tokens.accessToken, refresh: tokens.refreshToken },
      {
        host,
        timeoutMs: engine.settings.oauthTimeoutMs,
        signal: engine.signal,
        fetch: engine.fetch,
      },
    );
    if ([revocation.access, revocation.refresh].some((r) => r?.status === "failed")) {
      return { item, revocation, deleted: false, kept: "revocation-failed" };
    }
  }
  return { item, revocation, deleted: await sync.remove(store, item) };
}
