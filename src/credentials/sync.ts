/**
 * The OS keychain's part in reading and updating the config. Tables marked
 * `credentialStore = "keychain"` keep their tokens in a keychain item: they are
 * filled in on demand (`load`), and an update's `stage` works out what the
 * keychain must take: new or changed secrets written before the file is
 * replaced (and undone if it is not), the file without them, and items the new
 * file no longer refers to deleted after. The store decides when each runs;
 * this module knows items and secrets, and reports through the hooks it is
 * given (the store's way: warnings and redaction are the caller's).
 */
import type { AblyConfig } from "../config/schema.ts";
import type { SecretsSync, StagedSecrets, TokenPair, UnreadableSecrets } from "../config/store.ts";
import {
  fillSecret,
  type KeychainSlot,
  keychainSlots,
  secretOf,
  secretTableOf,
  sessionItem,
  withoutKeychainSecrets,
} from "../config/credential-marks.ts";
import { CliError } from "../errors.ts";
import {
  classify,
  type CredentialStore,
  fixFor,
  KEYCHAIN_SERVICE,
  type KeychainCheck,
  KeychainError,
  PROBE_ITEM,
} from "./keychain.ts";

export interface SyncHooks {
  /** Opens the OS keychain; absent: this platform has none. */
  open?: () => Promise<CredentialStore>;
  warn(message: string): void;
  /** Secrets read from the keychain, to keep out of the output. */
  protect(secrets: string[]): void;
}

export interface KeychainSync extends SecretsSync {
  /** Fills in the secrets of the named accounts (all when `"all"`); `reveal`: left printable. */
  load(config: AblyConfig, aliases: readonly string[] | "all", reveal?: boolean): Promise<void>;
  /** Fails with a clear error, before anything is asked or issued, when the keychain cannot be used. */
  check(why?: KeychainCheck): Promise<void>;
  /** This CLI's item names, sorted; `undefined` where the keychain cannot enumerate. */
  list(): Promise<string[] | undefined>;
  /** An item's secret (`undefined`: none), read directly: for items no account refers to. */
  secret(item: string): Promise<string | undefined>;
  /** Deletes an item directly; false when there was none. */
  remove(item: string): Promise<boolean>;
}

export function keychainSync(hooks: SyncHooks): KeychainSync {
  let opened: Promise<CredentialStore> | undefined;
  const open = (): Promise<CredentialStore> => {
    opened ??= (async () => {
      if (!hooks.open) throw new KeychainError("unavailable", "no OS keychain on this platform");
      try {
        return await hooks.open();
      } catch (error) {
        throw classify(error);
      }
    })();
    opened.catch(() => (opened = undefined));
    return opened;
  };
  const storeFor = (slots: KeychainSlot[], action: Action) =>
    open().catch((error) => {
      throw keychainFailure(error, slots, action);
    });

  // Per parsed config: the secret each item held when it was read ("" = no item).
  const loaded = new WeakMap<AblyConfig, Map<string, string>>();
  const loadedOf = (config: AblyConfig) => {
    let items = loaded.get(config);
    if (!items) loaded.set(config, items = new Map());
    return items;
  };

  /** The item's secret ("" when there is none), remembered for the config. */
  async function read(config: AblyConfig, slot: KeychainSlot): Promise<string> {
    const done = loadedOf(config);
    const known = done.get(slot.item);
    if (known !== undefined) return known;
    const store = await storeFor([slot], "read");
    let secret: string | undefined;
    try {
      secret = await store.get(slot.item);
    } catch (error) {
      throw keychainFailure(error, [slot], "read");
    }
    done.set(slot.item, secret ?? "");
    return secret ?? "";
  }

  /** The slots of `aliases` (all: every account) not read yet for this config. */
  const pending = (config: AblyConfig, aliases: readonly string[] | "all") => {
    const wanted = aliases === "all" ? undefined : itemsOf(config, aliases);
    const done = loadedOf(config);
    return [...keychainSlots(config).values()].filter((slot) =>
      !done.has(slot.item) && (!wanted || wanted.has(slot.item))
    );
  };

  /** Reads one item into its table; a missing item is a warning. */
  async function fill(config: AblyConfig, slot: KeychainSlot, reveal: boolean): Promise<void> {
    const secret = await read(config, slot);
    if (secret === "") {
      hooks.warn(missingItem(slot));
      return;
    }
    const secrets = fillSecret(slot, secret);
    if (!reveal) hooks.protect(secrets);
  }

  return {
    items: (config) => new Set(keychainSlots(config).keys()),

    async load(config, aliases, reveal = false) {
      for (const slot of pending(config, aliases)) await fill(config, slot, reveal);
    },

    async loadEach(config, aliases) {
      const unreadable: UnreadableSecrets[] = [];
      for (const slot of pending(config, aliases)) {
        try {
          await fill(config, slot, false);
        } catch (error) {
          unreadable.push({
            item: slot.item,
            ...(slot.kind === "session" ? { sessionKey: slot.key } : {}),
            aliases: slot.aliases,
            reason: error instanceof Error ? error.message : String(error),
          });
        }
      }
      return unreadable;
    },

    async previous(config, sessionKey): Promise<TokenPair | undefined> {
      const item = sessionItem(sessionKey);
      const slot: KeychainSlot = {
        item,
        kind: "session",
        key: sessionKey,
        table: {},
        fields: ["accessToken", "refreshToken"],
        aliases: [],
      };
      const secret = await read(config, slot);
      if (secret === "") return undefined;
      const tokens: Record<string, unknown> = {};
      hooks.protect(fillSecret({ ...slot, table: tokens }, secret));
      return {
        accessToken: typeof tokens.accessToken === "string" ? tokens.accessToken : undefined,
        refreshToken: typeof tokens.refreshToken === "string" ? tokens.refreshToken : undefined,
      };
    },

    stage(config, itemsBefore): Promise<StagedSecrets> {
      const slots = keychainSlots(config);
      const done = loadedOf(config);
      const writes: [KeychainSlot, string][] = [];
      for (const slot of slots.values()) {
        const secret = secretOf(slot);
        if (secret !== undefined && secret !== done.get(slot.item)) writes.push([slot, secret]);
      }
      const deletes = [...itemsBefore].filter((item) => !slots.has(item));
      // What each written item held before ("" = none), to put back if the update fails.
      const undo: [KeychainSlot, string][] = [];
      return Promise.resolve({
        written: withoutKeychainSecrets(config, slots),
        async write() {
          if (writes.length === 0) return;
          const store = await storeFor(writes.map(([slot]) => slot), "write");
          for (const [slot, secret] of writes) {
            try {
              const before = done.get(slot.item) ?? (await store.get(slot.item)) ?? "";
              await store.set(slot.item, secret);
              undo.push([slot, before]);
            } catch (error) {
              throw keychainFailure(error, [slot], "write");
            }
            done.set(slot.item, secret);
          }
        },
        async undo() {
          if (undo.length === 0) return;
          const store = await open();
          for (const [slot, before] of undo.reverse()) {
            try {
              if (before === "") await store.delete(slot.item);
              else await store.set(slot.item, before);
              done.set(slot.item, before);
            } catch (error) {
              hooks.warn(notRestored(slot, error));
            }
          }
        },
        async cleanUp() {
          if (deletes.length === 0) return;
          let store: CredentialStore;
          try {
            store = await open();
          } catch (error) {
            for (const item of deletes) hooks.warn(undeleted(item, error));
            return;
          }
          for (const item of deletes) {
            try {
              await store.delete(item);
              done.delete(item);
            } catch (error) {
              hooks.warn(undeleted(item, error));
            }
          }
        },
      });
    },

    async list() {
      const store = await open().catch((error) => {
        throw itemFailure(error, "list the items of");
      });
      if (!store.list) return undefined;
      try {
        return await store.list();
      } catch (error) {
        throw itemFailure(error, "list the items of");
      }
    },

    async secret(item) {
      try {
        return await (await open()).get(item);
      } catch (error) {
        throw itemFailure(error, `read the item ${item} of`);
      }
    },

    async remove(item) {
      try {
        return await (await open()).delete(item);
      } catch (error) {
        throw itemFailure(error, `delete the item ${item} of`);
      }
    },

    async check(why = {}) {
      try {
        const store = await open();
        await store.set(PROBE_ITEM, "probe");
        await store.delete(PROBE_ITEM);
      } catch (error) {
        throw checkFailure(classify(error), why);
      }
    },
  };
}

type Action = "read" | "write";

/**
 * The probe failed. The fix fits the cause; "log in without --keychain" only for a login
 * that asked for the keychain itself (for anyone else it would fix nothing).
 */
function checkFailure(problem: KeychainError, why: KeychainCheck): CliError {
  const cause = problem.message.split("\n")[0];
  const accounts = why.accounts ?? [];
  const holds = accounts.length === 0
    ? ""
    : `, which holds the tokens of account${accounts.length === 1 ? "" : "s"} ${
      accounts.map((alias) => `"${alias}"`).join(", ")
    }; this login may have to read or replace them, so it stops before anything is authorized`;
  const instead = why.loginAsked
    ? ", or log in without --keychain (and without ABLY_CLI_CREDENTIAL_STORE=keychain) to keep the tokens in the config file"
    : "";
  return new CliError(
    `Cannot use the OS keychain (${
      problem.kind === "failed" ? "" : `${problem.kind}: `
    }${cause})${holds}. ${fixFor(problem.kind)}${instead}.`,
    { component: "keychain", context: { problem: problem.kind, accounts } },
  );
}

/** The keychain items holding the tokens of `aliases` (file accounts have none). */
function itemsOf(config: AblyConfig, aliases: readonly string[]): Set<string> {
  const items = aliases.map((alias) => secretTableOf(config, alias)?.item);
  return new Set(items.filter((item): item is string => item !== undefined));
}

function whose(slots: KeychainSlot[]): string {
  const aliases = [...new Set(slots.flatMap((slot) => slot.aliases))];
  if (aliases.length === 0) return `the OAuth session "${slots[0]?.key}"`;
  return `account${aliases.length === 1 ? "" : "s"} ${aliases.map((a) => `"${a}"`).join(", ")}`;
}

function keychainFailure(error: unknown, slots: KeychainSlot[], action: Action): CliError {
  const problem = classify(error);
  const what = action === "read"
    ? `Cannot read the tokens of ${whose(slots)} from the OS keychain`
    : `Cannot store the tokens of ${whose(slots)} in the OS keychain; the config was not changed`;
  return new CliError(
    `${what} (${problem.kind === "failed" ? "" : `${problem.kind}: `}${
      problem.message.split("\n")[0]
    }). ${fixFor(problem.kind)}.`,
    {
      component: "keychain",
      context: { problem: problem.kind, accounts: slots.flatMap((slot) => slot.aliases) },
      cause: error,
    },
  );
}

function itemFailure(error: unknown, what: string): CliError {
  const problem = classify(error);
  return new CliError(
    `Cannot ${what} the OS keychain (service ${KEYCHAIN_SERVICE}) (${
      problem.kind === "failed" ? "" : `${problem.kind}: `
    }${problem.message.split("\n")[0]}). ${fixFor(problem.kind)}.`,
    { component: "keychain", context: { problem: problem.kind }, cause: error },
  );
}

function missingItem(slot: KeychainSlot): string {
  const alias = slot.aliases[0];
  return `The OS keychain has no item for ${whose([slot])} (service ${KEYCHAIN_SERVICE}, ` +
    `account ${slot.item}); it was deleted outside ably. Log in again: ably accounts login${
      alias ? ` --alias ${alias}` : ""
    } --keychain`;
}

function undeleted(item: string, error: unknown): string {
  return `The config no longer uses the OS keychain item ${item} (service ${KEYCHAIN_SERVICE}), ` +
    `but it could not be deleted (${
      classify(error).message.split("\n")[0]
    }); delete it with your keychain tool.`;
}

function notRestored(slot: KeychainSlot, error: unknown): string {
  return `The OS keychain item ${slot.item} (service ${KEYCHAIN_SERVICE}) could not be put ` +
    `back as it was (${classify(error).message.split("\n")[0]}); log in again if ${
      whose([slot])
    } stops working.`;
}
