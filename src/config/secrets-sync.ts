/**
 * What an update needs from the stores that keep secrets outside the file (the
 * credentials' side, `src/credentials/sync.ts`): the interface, so the transaction
 * orders their writes and deletes without knowing any store.
 */
import type { AblyConfig } from "./schema.ts";

/** Secrets a store could not give (`keepUnreadable`): the plan keeps what holds them. */
export interface UnreadableSecrets {
  item: string;
  /** The store the item is in. */
  store: string;
  /** The OAuth session whose tokens these are (absent: a legacy account's own item). */
  sessionKey?: string;
  /** The aliases whose tokens these are. */
  aliases: string[];
  /** What went wrong and the fix, in a sentence or two. */
  reason: string;
}

/** The stores' part in an update. */
export interface SecretsSync {
  /** Before the plan: fills in the secrets of these aliases (or of every account). */
  load(config: AblyConfig, aliases: readonly string[] | "all"): Promise<void>;
  /** As `load`, item by item: those that cannot be read are returned, not thrown. */
  loadEach(config: AblyConfig, aliases: readonly string[] | "all"): Promise<UnreadableSecrets[]>;
  /**
   * The tokens a session kept in `store` held before the plan, when they were not loaded:
   * its item still holds them. `undefined`: no item. Throws when the store cannot say.
   */
  previous(config: AblyConfig, sessionKey: string, store: string): Promise<TokenPair | undefined>;
  /** The stores' side of a change, computed from the config before and after the plan. */
  stage(config: AblyConfig, itemsBefore: Map<string, string>): Promise<StagedSecrets>;
  /** The store items the config refers to, each with its store (before the plan, for `stage`). */
  items(config: AblyConfig): Map<string, string>;
}

export interface StagedSecrets {
  /** The config as the file holds it: marked tables without their secrets. */
  written: AblyConfig;
  /** New and changed secrets into their stores; undone if the update then fails. */
  write(): Promise<void>;
  undo(): Promise<void>;
  /** Items the new file no longer refers to, deleted once it has replaced the old one. */
  cleanUp(): Promise<void>;
}

export interface TokenPair {
  accessToken?: string;
  refreshToken?: string;
}
