/**
 * The one transaction (`config/store.ts`) bound to this run: its settings (location,
 * lock time-out, issuer fallback), reporter (warnings once, secrets protected, waits
 * announced), Ctrl-C, the secret stores, and revocation as every update's irreversible
 * step. The accounts operations (`src/accounts/`) change the config only through
 * `update`, with a policy instead of knobs; a config that keeps no secret in a store
 * never loads the stores' module.
 */
import type { Settings } from "../settings.ts";
import type { Reporter } from "../output/reporter.ts";
import type { AblyConfig } from "../config/schema.ts";
import {
  checkWritable,
  type PlanFn,
  readSnapshot,
  SavedNothing,
  type Snapshot,
  updateConfig,
} from "../config/store.ts";
import type { RemovedSession } from "../config/removed.ts";
import { secretsOf } from "../config/mask.ts";
import { storesUsed } from "../config/credential-marks.ts";
import type { StoreRegistry } from "../credentials/store.ts";
import type { Sync } from "../credentials/sync.ts";
import type { Attempts } from "./revocation.ts";

const syncModule = () => import("../credentials/sync.ts");
const revocationModule = () => import("./revocation.ts");

export interface EngineDeps {
  settings: Settings;
  out: Reporter;
  /** Ctrl-C: stops a cancellable wait for the lock, and requests. */
  signal: AbortSignal;
  fetch: typeof fetch;
  now(): number;
  stores: StoreRegistry;
}

/** How an update treats what it cannot take for granted. */
export interface Policy {
  /** Ctrl-C stops the wait for the lock (nothing has changed then). */
  cancellable?: boolean;
  /** The caller's earlier read, reused when the file has not changed since. */
  basis?: Snapshot;
  /** The accounts whose stored secrets the plan reads: filled in first. */
  reads?: readonly string[] | "all";
  /**
   * Secrets a store cannot give: the update fails (the default); the plan is handed
   * them to keep (`keep`); or their sessions are removed unrevoked (`remove`).
   */
  unreadable?: "fail" | "keep" | "remove";
  /** The plan spends something (a refresh): a file the update may not replace is refused first. */
  spends?: boolean;
}

export interface Updated<T> {
  value: T;
  /** Whether the file was replaced. */
  saved: boolean;
  /** The OAuth tokens the change took out of the config. */
  removed: RemovedSession[];
  /** What the issuer answered for each removed session's tokens. */
  attempts: Attempts;
}

export interface Engine extends EngineDeps {
  /** The parsed config, `{}` when there is no file yet (secrets kept in stores not loaded). */
  read(): Promise<AblyConfig>;
  /** The parsed config and its exact text; `reveal` leaves its secrets printable. */
  snapshot(options?: { reveal?: boolean }): Promise<Snapshot | undefined>;
  /** Fills in the secrets kept in stores, for the accounts named (all when none are). */
  loadSecrets(
    config: AblyConfig,
    aliases?: string[],
    options?: { reveal?: boolean },
  ): Promise<void>;
  /** Fails when an update could not be saved (before a login authorizes anything). */
  checkWritable(): Promise<void>;
  update<T>(plan: PlanFn<T>, policy?: Policy): Promise<Updated<T>>;
  /** The secret stores, loaded now. */
  sync(): Promise<Sync>;
  warn(message: string): void;
}

export function engine(deps: EngineDeps): Engine {
  const { settings, out } = deps;
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

  let loaded: Promise<Sync> | undefined;
  const sync = () =>
    loaded ??= syncModule().then(({ secretsSync }) =>
      secretsSync({ stores: deps.stores, warn, protect: (secrets) => out.protect(secrets) })
    );
  /** The stores' half, only for a config that uses one (a plain data check, no module load). */
  const syncFor = async (config: AblyConfig) => storesUsed(config).size ? await sync() : undefined;

  const snapshot = async (options: { reveal?: boolean } = {}) => {
    const found = await readSnapshot(location.file, warnOnce());
    if (found && !options.reveal) protect(found.config);
    return found;
  };

  return {
    ...deps,
    warn,
    sync,
    snapshot,
    read: async () => (await snapshot())?.config ?? {},
    async loadSecrets(config, aliases, options = {}) {
      await (await syncFor(config))?.load(config, aliases ?? "all", options.reveal);
    },
    checkWritable: () => checkWritable(location),
    update: (plan, policy = {}) =>
      transact(deps, { warn: warnOnce(), protect, syncFor }, plan, policy),
  };
}

/** What the engine binds into every update. */
interface Binding {
  warn?: (message: string) => void;
  protect(config: AblyConfig): void;
  syncFor(config: AblyConfig): Promise<Sync | undefined>;
}

/** One update through the transaction, revoking what it removes; its result as `Updated`. */
async function transact<T>(
  deps: EngineDeps,
  binding: Binding,
  plan: PlanFn<T>,
  policy: Policy,
): Promise<Updated<T>> {
  const { settings, out } = deps;
  const location = settings.config;
  // One update may revoke in more than one attempt (its file changed under it): one record.
  const attempts: Attempts = new Map();
  try {
    const { value, saved, removed } = await updateConfig(location, (config, input) => {
      binding.protect(config);
      return plan(config, input);
    }, {
      warn: binding.warn,
      note: (message) => out.verbose("config", "update", message),
      basis: policy.basis,
      spends: policy.spends,
      reads: policy.reads,
      removeUnreadable: policy.unreadable === "remove",
      keepUnreadable: policy.unreadable === "keep",
      fallbackIssuer: settings.oauthHost,
      lockTimeoutMs: settings.lockTimeoutMs,
      signal: policy.cancellable ? deps.signal : undefined,
      onWait: (pid) =>
        out.note(
          `Waiting for ${
            pid ? `another ably process (pid ${pid})` : "another process"
          } to finish updating ${location.file}...`,
        ),
      secrets: binding.syncFor,
      // Every update's irreversible step: the tokens it removes are revoked at their issuer.
      irreversible: async (removed) => {
        const { revokeRemoved } = await revocationModule();
        const done = await revokeRemoved(deps, removed);
        for (const [key, result] of done) attempts.set(key, { ...attempts.get(key), ...result });
        return attempts;
      },
    });
    return { value, saved, removed, attempts };
  } catch (error) {
    if (!(error instanceof SavedNothing)) throw error;
    const { revokedButUnsaved } = await revocationModule();
    throw revokedButUnsaved(error, error.removed, attempts);
  }
}
