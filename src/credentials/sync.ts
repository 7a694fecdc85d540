/**
 * The secret stores' part in reading and updating the config, the same for every
 * store. Tables marked `credentialStore = "<store>"` keep their secrets in an item of
 * that store: they are filled in on demand (`load`), and an update's `stage` works out
 * what the stores must take: new or changed secrets written before the file is
 * replaced (and undone if it is not), the file without them, and items the new file no
 * longer refers to deleted after. The transaction decides when each runs; this module
 * knows items and secrets, and reports through the hooks it is given.
 */
import type { AblyConfig } from "../config/schema.ts";
import type {
  SecretsSync,
  StagedSecrets,
  TokenPair,
  UnreadableSecrets,
} from "../config/secrets-sync.ts";
import {
  completeMarks,
  fillSecret,
  itemsOfAccount,
  secretOf,
  type SecretSlot,
  secretSlots,
  sessionItem,
  tokensOf,
  withoutStoredSecrets,
} from "../config/credential-marks.ts";
import {
  firstLine,
  PROBE_ITEM,
  type SecretItems,
  type SecretStore,
  StoreError,
  type StoreRegistry,
} from "./store.ts";

export interface SyncHooks {
  /** The stores this run knows. */
  stores: StoreRegistry;
  warn(message: string): void;
  /** Secrets read from a store, to keep out of the output. */
  protect(secrets: string[]): void;
}

/** Why a store is checked before anything is asked or issued, for the message. */
export interface StoreCheck {
  /** How a login that itself asked for the store did so (its flag, or the variable). */
  loginAsked?: string;
  /** Accounts whose stored secrets the coming change may read or replace. */
  accounts?: string[];
}

export interface Sync extends SecretsSync {
  /** Fills in the secrets of the named accounts (all when `"all"`); `reveal`: left printable. */
  load(config: AblyConfig, aliases: readonly string[] | "all", reveal?: boolean): Promise<void>;
  /** The store `name`, loaded; an error naming the fix when this run knows no such store. */
  store(name: string): Promise<SecretStore>;
  /** Fails with a clear error, before anything is asked or issued, when a store cannot be used. */
  check(name: string, why?: StoreCheck): Promise<void>;
  /** A store's item names, sorted; `undefined` where it cannot enumerate. */
  list(name: string): Promise<string[] | undefined>;
  /** An item's secret (`undefined`: none), read directly: for items no account refers to. */
  secret(name: string, item: string): Promise<string | undefined>;
  /** Deletes an item directly; false when there was none. */
  remove(name: string, item: string): Promise<boolean>;
}

/** The stores of a run, each loaded and opened once (a failed open is tried again). */
interface Access {
  store(name: string): Promise<SecretStore>;
  items(name: string): Promise<[SecretStore, SecretItems]>;
  /** Whether this run has opened the store already (so using it asks the user nothing new). */
  isOpen(name: string): boolean;
  /** Runs `work` on the slots' store; its failure as a `StoreError` naming whose secrets. */
  on<T>(slots: SecretSlot[], action: Action, work: (items: SecretItems) => Promise<T>): Promise<T>;
  /** Runs `work` on an item no account may refer to, its failure worded for that item. */
  direct<T>(name: string, what: string, work: (items: SecretItems) => Promise<T>): Promise<T>;
}

function access(stores: StoreRegistry): Access {
  const loaded = new Map<string, Promise<SecretStore>>();
  const opened = new Map<string, Promise<SecretItems>>();
  const store = (name: string): Promise<SecretStore> => {
    let found = loaded.get(name);
    if (!found) {
      const load = Object.hasOwn(stores, name) ? stores[name] : undefined;
      found = load ? load() : Promise.reject(
        new StoreError(
          "unavailable",
          `the config keeps secrets in a store named "${name}", which this ably does not know`,
        ),
      );
      loaded.set(name, found);
    }
    return found;
  };
  const items = async (name: string): Promise<[SecretStore, SecretItems]> => {
    const definition = await store(name);
    let open = opened.get(name);
    if (!open) {
      open = definition.open().catch((error) => {
        opened.delete(name);
        throw sortedBy(definition, error);
      });
      opened.set(name, open);
    }
    return [definition, await open];
  };
  return {
    store,
    items,
    isOpen: (name) => opened.has(name),
    async on(slots, action, work) {
      const name = slots[0].store;
      try {
        return await work((await items(name))[1]);
      } catch (error) {
        throw slotFailure(await store(name).catch(() => undefined), error, slots, action);
      }
    },
    async direct(name, what, work) {
      const definition = await store(name);
      try {
        return await work((await items(name))[1]);
      } catch (error) {
        throw itemFailure(definition, error, what);
      }
    },
  };
}

/** Per parsed config: the secret each item held when it was read ("" = no item). */
type Known = WeakMap<AblyConfig, Map<string, string>>;

function knownOf(known: Known, config: AblyConfig): Map<string, string> {
  let items = known.get(config);
  if (!items) known.set(config, items = new Map());
  return items;
}

/** Reading a config's stored secrets into its tables, each item once per parsed config. */
function reader(stores: Access, known: Known, hooks: SyncHooks) {
  /** The item's secret ("" when there is none), remembered for the config. */
  async function read(config: AblyConfig, slot: SecretSlot): Promise<string> {
    const done = knownOf(known, config);
    const knownSecret = done.get(slot.item);
    if (knownSecret !== undefined) return knownSecret;
    // Under its name in the config's namespace, else (not carried over yet) its old name:
    // then the new item holds nothing yet, and the next write puts it there.
    const [secret, carried] = await stores.on([slot], "read", async (items) => {
      const found = await items.get(slot.item);
      if (found !== undefined || !slot.legacy) return [found ?? "", false];
      return [await items.get(slot.legacy) ?? "", true];
    });
    done.set(slot.item, carried ? "" : secret);
    return secret;
  }
  return {
    read,
    /** The slots of `aliases` (all: every account) not read yet for this config. */
    pending(config: AblyConfig, aliases: readonly string[] | "all") {
      const wanted = aliases === "all" ? undefined : itemsOf(config, aliases);
      const done = knownOf(known, config);
      return [...secretSlots(config).values()].filter((slot) =>
        !done.has(slot.item) && (!wanted || wanted.has(slot.item))
      );
    },
    /** Reads one item into its table; a missing item is a warning. */
    async fill(config: AblyConfig, slot: SecretSlot, reveal: boolean): Promise<void> {
      // An app's key still in the file (its account was marked before keys followed) is
      // read from there; one with no item has no key.
      if (slot.kind === "key" && typeof slot.table.apiKey === "string") return;
      const secret = await read(config, slot);
      if (secret === "") {
        if (slot.kind !== "key") hooks.warn(missingItem(await stores.store(slot.store), slot));
        return;
      }
      const secrets = fillSecret(slot, secret);
      if (!reveal) hooks.protect(secrets);
    },
  };
}

export function secretsSync(hooks: SyncHooks): Sync {
  const stores = access(hooks.stores);
  const known: Known = new WeakMap();
  const { read, pending, fill } = reader(stores, known, hooks);
  return {
    items: (config) =>
      new Map([...secretSlots(config).values()].flatMap((slot) => [
        [slot.item, slot.store] as const,
        ...(slot.legacy ? [[slot.legacy, slot.store] as const] : []),
      ])),
    store: stores.store,
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
            store: slot.store,
            ...(slot.kind === "session" ? { sessionKey: slot.key } : {}),
            aliases: slot.aliases,
            reason: error instanceof Error ? error.message : String(error),
          });
        }
      }
      return unreadable;
    },
    async previous(config, sessionKey, store): Promise<TokenPair | undefined> {
      const slot: SecretSlot = {
        ...sessionItem(config, sessionKey),
        store,
        kind: "session",
        key: sessionKey,
        table: {},
        fields: [],
        aliases: [],
      };
      const secret = await read(config, slot);
      if (secret === "") return undefined;
      const tokens = tokensOf(secret);
      hooks.protect([tokens.accessToken, tokens.refreshToken].filter((t) => t !== undefined));
      return tokens;
    },
    stage: (config, itemsBefore) =>
      Promise.resolve(staged(stores, knownOf(known, config), hooks, config, itemsBefore)),
    list: (name) =>
      stores.direct(
        name,
        "list the items of",
        async (items) => items.list ? await items.list() : undefined,
      ),
    secret: (name, item) =>
      stores.direct(name, `read the item ${item} of`, (items) => items.get(item)),
    remove: (name, item) =>
      stores.direct(name, `delete the item ${item} of`, (items) => items.delete(item)),
    async check(name, why = {}) {
      const definition = await stores.store(name);
      try {
        const [, items] = await stores.items(name);
        await items.set(PROBE_ITEM, "probe");
        await items.delete(PROBE_ITEM);
      } catch (error) {
        throw checkFailure(definition, sortedBy(definition, error), why);
      }
    },
  };
}

/** The stores' side of a change: what to write before the file, what to delete after. */
function staged(
  stores: Access,
  done: Map<string, string>,
  hooks: SyncHooks,
  config: AblyConfig,
  itemsBefore: Map<string, string>,
): StagedSecrets {
  // Accounts whose tokens are stored take their apps' keys along, when this run has the
  // store open (an update that does not need the store never fails for it); a config with
  // stored secrets gets its namespace.
  completeMarks(config, stores.isOpen);
  const slots = secretSlots(config);
  const { writes, unread, deletes } = plan(slots, done, itemsBefore);
  // What each written item held before ("" = none), to put back if the update fails.
  const undo: [SecretSlot, string][] = [];
  return {
    written: withoutStoredSecrets(config, slots),
    async write() {
      // All or nothing: an item the store cannot take is found before any is written.
      for (const [slot, secret] of writes) await fits(stores, slot, secret);
      for (const [slot, secret] of writes) {
        await stores.on([slot], "write", async (items) => {
          const before = done.get(slot.item) ?? (await items.get(slot.item)) ?? "";
          await items.set(slot.item, secret);
          undo.push([slot, before]);
        });
        done.set(slot.item, secret);
      }
      for (const slot of unread) {
        const carried = await carryOver(stores, slot);
        if (carried === "copied") undo.push([slot, ""]);
        if (carried) deletes.push([slot.legacy!, slot.store]);
      }
    },
    async undo() {
      for (const [slot, before] of undo.reverse()) {
        try {
          const [, items] = await stores.items(slot.store);
          if (before === "") await items.delete(slot.item);
          else await items.set(slot.item, before);
          done.set(slot.item, before);
        } catch (error) {
          hooks.warn(notRestored(await stores.store(slot.store), slot, error));
        }
      }
    },
    async cleanUp() {
      for (const [item, name] of deletes) {
        const definition = await stores.store(name).catch(() => undefined);
        try {
          await (await stores.items(name))[1].delete(item);
          done.delete(item);
        } catch (error) {
          hooks.warn(undeleted(definition, item, error));
        }
      }
    },
  };
}

/**
 * What an update does to the stores: the items to write (new or changed secrets), those
 * from before namespaces this run has not read (carried over where it can), and the items
 * to delete after the file is replaced.
 */
function plan(
  slots: Map<string, SecretSlot>,
  done: Map<string, string>,
  itemsBefore: Map<string, string>,
) {
  const writes: [SecretSlot, string][] = [];
  const keep = new Map<string, string>();
  const unread: SecretSlot[] = [];
  for (const slot of slots.values()) {
    const secret = secretOf(slot);
    keep.set(slot.item, slot.store);
    if (secret !== undefined && secret !== done.get(slot.item)) writes.push([slot, secret]);
    else if (slot.legacy) {
      // Until carried over, its old item still holds it.
      keep.set(slot.legacy, slot.store);
      if (secret === undefined && !done.has(slot.item)) unread.push(slot);
    }
  }
  // Gone from the file, moved to another store, or carried over to its new name; not an
  // item this run read and found absent (an item's other name that never held it).
  const deletes = [...itemsBefore].filter(([item, name]) =>
    keep.get(item) !== name && done.get(item) !== ""
  );
  for (const [slot] of writes) {
    if (slot.legacy && !deletes.some(([item]) => item === slot.legacy)) {
      deletes.push([slot.legacy, slot.store]);
    }
  }
  return { writes, unread, deletes };
}

/** Fails, naming whose secret and the way out, when the slot's store cannot take it. */
async function fits(stores: Access, slot: SecretSlot, secret: string): Promise<void> {
  const store = await stores.store(slot.store);
  const limits = store.limits;
  if (!limits) return;
  const what = slot.item.length > limits.name
    ? `its name (${slot.item.length} characters) is longer than the ${limits.name}`
    : secret.length > limits.secret
    ? `the secret (${secret.length} characters) is longer than the ${limits.secret}`
    : undefined;
  if (!what) return;
  const fix = `Keep ${
    slot.aliases.length === 1 ? "this account's" : "these accounts'"
  } secrets in the config file: log in without --${store.name}, or run ably accounts ${store.name} --to-file`;
  throw new StoreError(
    "failed",
    `Cannot store the ${slot.kind === "key" ? "API key" : "tokens"} of ${
      whose([slot])
    } in ${store.label}: ${what} an item there can hold; the config was not changed. ${fix}.`,
    { accounts: slot.aliases, fix },
  );
}

/**
 * Copies an item from its name before namespaces to its new one, when the run has its
 * store open anyway (carrying over never opens, and so never prompts for, a store the
 * command did not need). Best effort: on any failure the old item still holds the secret
 * and is read from there. Either way the old item is deleted after the file is replaced:
 * "copied" (the new item written now), "stale" (the new one held it already).
 */
async function carryOver(stores: Access, slot: SecretSlot): Promise<"copied" | "stale" | false> {
  if (!stores.isOpen(slot.store)) return false;
  try {
    const [, items] = await stores.items(slot.store);
    const secret = await items.get(slot.legacy!);
    if (secret === undefined) return false;
    if (await items.get(slot.item) !== undefined) return "stale";
    await items.set(slot.item, secret);
    return "copied";
  } catch {
    return false;
  }
}

type Action = "read" | "write";

/** A failure of `store` as a `StoreError` of the kind its fix depends on. */
function sortedBy(store: SecretStore, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(store.classify(error), firstLine(error), { cause: error });
}

function problemText(error: StoreError): string {
  return `${error.problem === "failed" ? "" : `${error.problem}: `}${firstLine(error)}`;
}

/**
 * The probe failed. The fix fits the cause; "log in without the store" only for a login
 * that asked for the store itself (for anyone else it would fix nothing).
 */
function checkFailure(store: SecretStore, problem: StoreError, why: StoreCheck): StoreError {
  const accounts = why.accounts ?? [];
  const holds = accounts.length === 0
    ? ""
    : `, which holds the tokens of account${accounts.length === 1 ? "" : "s"} ${
      accounts.map((alias) => `"${alias}"`).join(", ")
    }; this login may have to read or replace them, so it stops before anything is authorized`;
  const instead = why.loginAsked
    ? `, or log in without ${why.loginAsked} to keep the tokens in the config file`
    : "";
  return new StoreError(
    problem.problem,
    `Cannot use ${store.label} (${problemText(problem)})${holds}. ${
      store.fixFor(problem.problem)
    }${instead}.`,
    { accounts, fix: store.fixFor(problem.problem), cause: problem },
  );
}

/** The store items holding the secrets of `aliases`: tokens and apps' keys. */
function itemsOf(config: AblyConfig, aliases: readonly string[]): Set<string> {
  return new Set(aliases.flatMap((alias) => itemsOfAccount(config, alias)));
}

function whose(slots: SecretSlot[]): string {
  const aliases = [...new Set(slots.flatMap((slot) => slot.aliases))];
  if (aliases.length === 0) return `the OAuth session "${slots[0]?.key}"`;
  return `account${aliases.length === 1 ? "" : "s"} ${aliases.map((a) => `"${a}"`).join(", ")}`;
}

function slotFailure(
  store: SecretStore | undefined,
  error: unknown,
  slots: SecretSlot[],
  action: Action,
): StoreError {
  const aliases = slots.flatMap((slot) => slot.aliases);
  if (!store) {
    const problem = error instanceof StoreError
      ? error
      : new StoreError("failed", firstLine(error));
    return new StoreError(problem.problem, problem.message, { accounts: aliases, cause: error });
  }
  const problem = sortedBy(store, error);
  const what = action === "read"
    ? `Cannot read the tokens of ${whose(slots)} from ${store.label}`
    : `Cannot store the tokens of ${whose(slots)} in ${store.label}; the config was not changed`;
  return new StoreError(
    problem.problem,
    `${what} (${problemText(problem)}). ${store.fixFor(problem.problem)}.`,
    {
      accounts: aliases,
      fix: store.fixFor(problem.problem),
      reason: problemText(problem),
      cause: error,
    },
  );
}

function itemFailure(store: SecretStore, error: unknown, what: string): StoreError {
  const problem = sortedBy(store, error);
  return new StoreError(
    problem.problem,
    `Cannot ${what} ${store.label} (${store.place()}): ${problemText(problem)}. ${
      store.fixFor(problem.problem)
    }.`,
    { fix: store.fixFor(problem.problem), cause: error },
  );
}

function missingItem(store: SecretStore, slot: SecretSlot): string {
  const alias = slot.aliases[0];
  return `${capitalised(store.label)} has no item for ${whose([slot])} (${
    store.place(slot.item)
  }); it was deleted outside ably. Log in again: ably accounts login${
    alias ? ` --alias ${alias}` : ""
  } --${store.name}`;
}

function undeleted(store: SecretStore | undefined, item: string, error: unknown): string {
  const where = store ? `${store.label} item ${item} (${store.place()})` : `item ${item}`;
  return `The config no longer uses ${where}, but it could not be deleted (${
    firstLine(error)
  }); delete it with your ${store?.name ?? "store"} tool.`;
}

function notRestored(store: SecretStore, slot: SecretSlot, error: unknown): string {
  return `${capitalised(store.label)} item ${slot.item} (${store.place()}) could not be put ` +
    `back as it was (${firstLine(error)}); log in again if ${whose([slot])} stops working.`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
