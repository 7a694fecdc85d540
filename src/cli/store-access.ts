/**
 * The context's `store`: the config store (`config/store.ts`) bound to this
 * run's settings (location, lock time-out, issuer fallback), reporter (warnings
 * once, secrets redacted, waits announced), Ctrl-C, keychain and revocation as
 * every update's irreversible step. A config with no keychain-marked table never
 * loads the keychain module.
 */
import type { ConfigStore, Settings } from "../context.ts";
import type { Reporter } from "../output/reporter.ts";
import type { AblyConfig } from "../config/schema.ts";
import { checkWritable, readSnapshot, SavedNothing, updateConfig } from "../config/store.ts";
import { secretsOf } from "../config/mask.ts";
import { usesKeychain } from "../config/credential-marks.ts";
import type { CredentialStore } from "../credentials/keychain.ts";
import type { KeychainSync } from "../credentials/sync.ts";
import type { Attempts } from "../credentials/revocation.ts";

const syncModule = () => import("../credentials/sync.ts");
const revocationModule = () => import("../credentials/revocation.ts");

export interface StoreDeps {
  settings: Settings;
  out: Reporter;
  /** Ctrl-C: stops a cancellable wait for the lock, and revocation requests. */
  signal: AbortSignal;
  fetch: typeof fetch;
  /** Opens the OS keychain; absent: none on this platform. */
  keychain?: () => Promise<CredentialStore>;
}

export function configStore({ settings, out, signal, fetch, keychain }: StoreDeps): ConfigStore {
  const location = settings.config;
  const shown = new Set<string>();
  const warn = (message: string) => {
    if (shown.has(message)) return;
    shown.add(message);
    out.warning(message);
  };
  // The exposure check (who else can write the file) once a run, not on every read.
  let exposureChecked = false;
  const warnOnce = () => {
    if (exposureChecked) return undefined;
    exposureChecked = true;
    return warn;
  };
  // Each parsed config once: an update that reuses the earlier read does not walk it again.
  const protectedConfigs = new WeakSet<AblyConfig>();
  const protect = (config: AblyConfig) => {
    if (protectedConfigs.has(config)) return;
    protectedConfigs.add(config);
    out.protect(secretsOf(config));
  };

  let sync: Promise<KeychainSync> | undefined;
  const keychainOf = () =>
    sync ??= syncModule().then(({ keychainSync }) =>
      keychainSync({ open: keychain, warn, protect: (secrets) => out.protect(secrets) })
    );
  /** The keychain half, only for a config that uses it (a plain data check, no module load). */
  const syncFor = async (config: AblyConfig) =>
    usesKeychain(config) ? await keychainOf() : undefined;

  return {
    async read() {
      return (await this.snapshot())?.config;
    },
    async snapshot(options = {}) {
      const snapshot = await readSnapshot(location.file, warnOnce());
      if (snapshot && !options.reveal) protect(snapshot.config);
      return snapshot;
    },
    async loadSecrets(config, aliases, options = {}) {
      const keychain = await syncFor(config);
      await keychain?.load(config, aliases ?? "all", options.reveal);
    },
    async preflight() {
      const config = await this.read();
      await checkWritable(location);
      return config;
    },
    async checkKeychain(why) {
      await (await keychainOf()).check(why);
    },
    async keychainItems() {
      const sync = await keychainOf();
      return {
        list: () => sync.list(),
        inUse: (config) => sync.items(config),
        secret: (item) => sync.secret(item),
        remove: (item) => sync.remove(item),
      };
    },
    async update(plan, options = {}) {
      // One update may revoke in more than one attempt (its file changed under it): one record.
      const attempts: Attempts = new Map();
      try {
        const updated = await updateConfig(location, (config, input) => {
          protect(config);
          return plan(config, input);
        }, {
          warn: warnOnce(),
          note: (message) => out.verbose("config", "update", message),
          basis: options.basis,
          spends: options.spends,
          reads: options.reads,
          removeUnreadable: options.removeUnreadable,
          keepUnreadable: options.keepUnreadable,
          fallbackIssuer: settings.oauthHost,
          lockTimeoutMs: settings.lockTimeoutMs,
          signal: options.cancellable ? signal : undefined,
          onWait: (pid) =>
            out.note(
              `Waiting for another ably process${
                pid ? ` (pid ${pid})` : ""
              } to finish updating ${location.file}...`,
            ),
          secrets: syncFor,
          // Every update's irreversible step: the tokens it removes are revoked at their issuer.
          irreversible: async (removed) => {
            const { revokeRemoved } = await revocationModule();
            const done = await revokeRemoved(
              { out, timeoutMs: settings.oauthTimeoutMs, signal, fetch },
              removed,
              options.revokedAs,
            );
            for (const [key, result] of done) {
              attempts.set(key, { ...attempts.get(key), ...result });
            }
            return attempts;
          },
        });
        const { value, saved, removed } = updated;
        return { value, saved, removed, attempts };
      } catch (error) {
        if (!(error instanceof SavedNothing)) throw error;
        const { revokedButUnsaved } = await revocationModule();
        throw revokedButUnsaved(error, error.removed, error.done as Attempts);
      }
    },
  };
}
