/** The context's `store`: the config store with this run's settings, warnings and redaction. */
import type { ConfigStore, Settings } from "../context.ts";
import type { Reporter } from "../output/reporter.ts";
import type { AblyConfig } from "../config/schema.ts";
import { readSnapshot, updateConfig } from "../config/store.ts";
import { secretsOf } from "../config/mask.ts";

export function configStore(settings: Settings, out: Reporter, signal: AbortSignal): ConfigStore {
  const location = settings.config;
  const shown = new Set<string>();
  const warn = (message: string) => {
    if (shown.has(message)) return;
    shown.add(message);
    out.warning(message);
  };
  // Each parsed config once: an update that reuses the earlier read does not walk it again.
  const protectedConfigs = new WeakSet<AblyConfig>();
  const protect = (config: AblyConfig) => {
    if (protectedConfigs.has(config)) return;
    protectedConfigs.add(config);
    out.protect(secretsOf(config));
  };
  return {
    async read() {
      return (await this.snapshot())?.config;
    },
    async snapshot(options = {}) {
      const snapshot = await readSnapshot(location.file, { warn });
      if (snapshot && !options.reveal) protect(snapshot.config);
      return snapshot;
    },
    update(mutate, options = {}) {
      return updateConfig(location, (config) => {
        protect(config);
        return mutate(config);
      }, {
        warn,
        basis: options.basis,
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
