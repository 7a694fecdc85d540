/**
 * The context's `store`: the config store with this run's settings, warnings and
 * redaction, and the one place where the file meets the OS keychain. Tables marked
 * `credentialStore = "keychain"` have their secrets filled in from the keychain on
 * demand (`loadSecrets`) and on every update (before `mutate`); on write, new or
 * changed secrets of marked tables go to the keychain before the file is replaced,
 * the file never holds them, and items it no longer refers to are deleted after.
 * A config with no marked table never loads the keychain module.
 */
import type { ConfigStore, Settings } from "../context.ts";
import type { Reporter } from "../output/reporter.ts";
import type { AblyConfig } from "../config/schema.ts";
import { type Change, checkWritable, readSnapshot, updateConfig } from "../config/store.ts";
import { secretsOf } from "../config/mask.ts";
import type { KeychainSlot } from "../config/credential-marks.ts";
import type { CredentialStore } from "../credentials/keychain.ts";
import { CliError } from "../errors.ts";

// The keychain half is loaded only for a config that uses the keychain (or a login that
// asks for it): a file-only run never parses it.
const marks = () => import("../config/credential-marks.ts");
const keychainModule = () => import("../credentials/keychain.ts");

/** Whether any table is marked `credentialStore = "keychain"`; on every update, so inline. */
function usesKeychain(config: AblyConfig): boolean {
  for (const key in config.oauthSessions ?? {}) {
    if (config.oauthSessions![key].credentialStore === "keychain") return true;
  }
  for (const alias in config.accounts ?? {}) {
    const account = config.accounts![alias];
    if (account.authMethod !== "oauth" && account.credentialStore === "keychain") return true;
  }
  return false;
}

export function configStore(
  settings: Settings,
  out: Reporter,
  signal: AbortSignal,
  keychain?: () => Promise<CredentialStore>,
): ConfigStore {
  const location = settings.config;
  const shown = new Set<string>();
  const warn = (message: string) => {
    if (shown.has(message)) return;
    shown.add(message);
    out.warning(message);
  };
  // Each parsed config once: an update that reuses the earlier read does not walk it again.
  const protectedConfigs = new WeakSet<AblyConfig>();
  // The exposure check (who else can write the file) once a run, not on every read.
  let exposureChecked = false;
  const warnOnce = () => {
    if (exposureChecked) return undefined;
    exposureChecked = true;
    return warn;
  };
  const protect = (config: AblyConfig) => {
    if (protectedConfigs.has(config)) return;
    protectedConfigs.add(config);
    out.protect(secretsOf(config));
  };

  let opened: Promise<CredentialStore> | undefined;
  const open = (): Promise<CredentialStore> => {
    opened ??= (async () => {
      const { classify, KeychainError } = await keychainModule();
      if (!keychain) throw new KeychainError("unavailable", "no OS keychain on this platform");
      try {
        return await keychain();
      } catch (error) {
        throw classify(error);
      }
    })();
    opened.catch(() => (opened = undefined));
    return opened;
  };

  // Per parsed config: the secret each keychain item held when it was read ("" = no item).
  const loaded = new WeakMap<AblyConfig, Map<string, string>>();
  const loadedOf = (config: AblyConfig) => {
    let items = loaded.get(config);
    if (!items) loaded.set(config, items = new Map());
    return items;
  };

  async function hydrate(config: AblyConfig, items?: Set<string>, reveal = false): Promise<void> {
    if (!usesKeychain(config)) return;
    const { fillSecret, keychainSlots } = await marks();
    const done = loadedOf(config);
    const slots = [...keychainSlots(config).values()].filter((slot) =>
      !done.has(slot.item) && (!items || items.has(slot.item))
    );
    if (slots.length === 0) return;
    const store = await open().catch(async (error) => {
      throw await keychainFailure(error, slots, "read");
    });
    for (const slot of slots) {
      let secret: string | undefined;
      try {
        secret = await store.get(slot.item);
      } catch (error) {
        throw await keychainFailure(error, [slot], "read");
      }
      done.set(slot.item, secret ?? "");
      if (secret === undefined) {
        warn(await missingItem(slot));
        continue;
      }
      const secrets = fillSecret(slot, secret);
      if (!reveal) out.protect(secrets);
    }
  }

  /**
   * The change as the file and the keychain must take it: new or changed secrets of
   * marked tables into the keychain before the file is replaced, the file without
   * them, and items it no longer refers to deleted after.
   */
  async function keychainChange<T>(
    config: AblyConfig,
    before: Set<string>,
    change: Change<T>,
  ): Promise<Change<T>> {
    const { keychainSlots, secretOf, withoutKeychainSecrets } = await marks();
    const slots = keychainSlots(config);
    const done = loadedOf(config);
    const writes: [KeychainSlot, string][] = [];
    for (const slot of slots.values()) {
      const secret = secretOf(slot);
      if (secret !== undefined && secret !== done.get(slot.item)) writes.push([slot, secret]);
    }
    const deletes = [...before].filter((item) => !slots.has(item));
    return {
      ...change,
      written: withoutKeychainSecrets(config, slots),
      // Into the keychain first: if the file is not replaced, the item holds tokens the
      // file still has (or, after a refresh, the only valid ones), never neither.
      beforeCommit: async () => {
        if (writes.length) {
          const store = await open().catch(async (error) => {
            throw await keychainFailure(error, writes.map(([slot]) => slot), "write");
          });
          for (const [slot, secret] of writes) {
            try {
              await store.set(slot.item, secret);
            } catch (error) {
              throw await keychainFailure(error, [slot], "write");
            }
            done.set(slot.item, secret);
          }
        }
        await change.beforeCommit?.();
      },
      // Out of the keychain last: the file no longer refers to these items.
      afterCommit: async () => {
        await change.afterCommit?.();
        if (deletes.length === 0) return;
        let store: CredentialStore;
        try {
          store = await open();
        } catch (error) {
          for (const item of deletes) warn(await undeleted(item, error));
          return;
        }
        for (const item of deletes) {
          try {
            await store.delete(item);
            done.delete(item);
          } catch (error) {
            warn(await undeleted(item, error));
          }
        }
      },
    };
  }

  return {
    async read() {
      return (await this.snapshot())?.config;
    },
    async snapshot(options = {}) {
      const snapshot = await readSnapshot(location.file, { warn: warnOnce() });
      if (snapshot && !options.reveal) protect(snapshot.config);
      return snapshot;
    },
    async loadSecrets(config, aliases, options = {}) {
      if (!usesKeychain(config)) return;
      await hydrate(config, aliases && await itemsOf(config, aliases), options.reveal);
    },
    async preflight() {
      await this.read();
      await checkWritable(location);
    },
    async checkKeychain() {
      try {
        const { PROBE_ITEM } = await keychainModule();
        const store = await open();
        await store.set(PROBE_ITEM, "probe");
        await store.delete(PROBE_ITEM);
      } catch (error) {
        const { classify, fixFor } = await keychainModule();
        const problem = classify(error);
        throw new CliError(
          `Cannot use the OS keychain (${problem.message.split("\n")[0]}). ${
            fixFor(problem.kind)
          }, or log in without --keychain (and without ABLY_CLI_CREDENTIAL_STORE=keychain) to keep the tokens in the config file.`,
          { component: "keychain", context: { problem: problem.kind } },
        );
      }
    },
    update(mutate, options = {}) {
      return updateConfig(location, async (config) => {
        protect(config);
        const used = usesKeychain(config);
        const wanted = options.secretsFor;
        if (used && wanted) {
          await hydrate(config, wanted === "all" ? undefined : await itemsOf(config, wanted));
        }
        const before = new Set(used ? (await marks()).keychainSlots(config).keys() : []);
        const change = await mutate(config);
        // A config that does not use the keychain, before or after, is written as it is.
        if (!change.changed || (!used && !usesKeychain(config))) return change;
        return await keychainChange(config, before, change);
      }, {
        warn: warnOnce(),
        basis: options.basis,
        irreversible: options.irreversible,
        lockTimeoutMs: settings.lockTimeoutMs,
        signal: options.cancellable ? signal : undefined,
        onWait: (pid) =>
          out.note(
            `Waiting for another ably process${
              pid ? ` (pid ${pid})` : ""
            } to finish updating ${location.file}...`,
          ),
      });
    },
  };
}

/** The keychain items holding the tokens of `aliases` (file accounts have none). */
async function itemsOf(config: AblyConfig, aliases: readonly string[]): Promise<Set<string>> {
  const { secretTableOf } = await marks();
  const items = aliases.map((alias) => secretTableOf(config, alias)?.item);
  return new Set(items.filter((item): item is string => item !== undefined));
}

function whose(slots: KeychainSlot[]): string {
  const aliases = [...new Set(slots.flatMap((slot) => slot.aliases))];
  if (aliases.length === 0) return `the OAuth session "${slots[0]?.key}"`;
  return `account${aliases.length === 1 ? "" : "s"} ${aliases.map((a) => `"${a}"`).join(", ")}`;
}

async function keychainFailure(
  error: unknown,
  slots: KeychainSlot[],
  action: "read" | "write",
): Promise<CliError> {
  const { classify, fixFor } = await keychainModule();
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

async function missingItem(slot: KeychainSlot): Promise<string> {
  const { KEYCHAIN_SERVICE } = await keychainModule();
  const alias = slot.aliases[0];
  return `The OS keychain has no item for ${whose([slot])} (service ${KEYCHAIN_SERVICE}, ` +
    `account ${slot.item}); it was deleted outside ably. Log in again: ably accounts login${
      alias ? ` --alias ${alias}` : ""
    } --keychain`;
}

async function undeleted(item: string, error: unknown): Promise<string> {
  const { classify, KEYCHAIN_SERVICE } = await keychainModule();
  return `The config no longer uses the OS keychain item ${item} (service ${KEYCHAIN_SERVICE}), ` +
    `but it could not be deleted (${
      classify(error).message.split("\n")[0]
    }); delete it with your keychain tool.`;
}
