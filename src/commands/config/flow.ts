/** What `ably config path` and `ably config show` do. Loaded only when they run. */
import type { Env } from "../../cli.ts";
import { CliError } from "../../errors.ts";
import type { Reporter } from "../../output/reporter.ts";
import { configLocation } from "../../config/location.ts";
import { readSnapshot, serializeConfig } from "../../config/store.ts";
import { maskSecrets } from "../../config/mask.ts";

export function printPath(out: Reporter, env: Env): Promise<void> {
  const { file } = configLocation(env);
  out.result({ config: { path: file } });
  out.print(file);
  return Promise.resolve();
}

export async function showConfig(out: Reporter, env: Env, reveal: boolean): Promise<void> {
  const { file } = configLocation(env);
  const snapshot = await readSnapshot(file);
  if (!snapshot) {
    throw new CliError(
      `Config file does not exist at: ${file}\nRun "ably accounts login" to create one.`,
      { component: "configShow", context: { path: file } },
    );
  }
  const contents = reveal ? snapshot.config : maskSecrets(snapshot.config);
  out.result({ config: { exists: true, path: file, contents } });
  out.print(`# Config file: ${file}`);
  out.print();
  out.print((reveal ? snapshot.text : serializeConfig(contents)).replace(/\n$/, ""));
}
