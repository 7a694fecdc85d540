/**
 * `ably config show [--reveal]`: the config, tokens and API key secrets masked unless
 * --reveal. Says which accounts keep their tokens in a secret store;
 * reads them from there only with --reveal.
 */
import type { Context } from "../../context.ts";
import { CliError } from "../../errors.ts";
import { serializeConfig } from "../../config/toml.ts";
import { maskSecrets } from "../../config/mask.ts";
import { accountsOf } from "../../config/accounts.ts";
import { credentialsLocation, FILE, secretSlots } from "../../config/credential-marks.ts";
import type { AblyConfig } from "../../config/schema.ts";
import type { SecretStore } from "../../credentials/store.ts";
import type { ConfigShowOptions } from "./specs.ts";
import { capitalised, officialCliNote, storesNamed } from "../shared/stores.ts";

export async function run(ctx: Context, options: ConfigShowOptions): Promise<void> {
  const { out } = ctx;
  const { file } = ctx.settings.config;
  const snapshot = await ctx.accounts.snapshot({ reveal: options.reveal });
  if (!snapshot) {
    throw new CliError(
      `Config file does not exist at: ${file}\nRun "ably accounts login" to create one.`,
      { component: "configShow", context: { path: file } },
    );
  }
  // The accounts whose tokens are kept in each store, by store.
  const stored = new Map<string, string[]>();
  for (const alias of Object.keys(accountsOf(snapshot.config))) {
    const store = credentialsLocation(snapshot.config, alias);
    if (store !== FILE) stored.set(store, [...stored.get(store) ?? [], alias]);
  }
  if (options.reveal && stored.size) {
    await ctx.accounts.loadSecrets(snapshot.config, undefined, { reveal: true });
  }
  const stores = [...(await storesNamed(ctx, stored.keys())).values()];
  const contents = options.reveal ? snapshot.config : maskSecrets(snapshot.config);
  out.result({
    config: {
      exists: true,
      path: file,
      contents,
      ...Object.fromEntries(
        stores.map((store) => [
          store.name,
          { where: store.place(), accounts: stored.get(store.name) },
        ]),
      ),
    },
  });
  out.print(`# Config file: ${file}`);
  for (const store of stores) {
    out.print(
      `# Tokens and API keys in ${store.label} (${store.place()}), not in this file: ${
        stored.get(store.name)!.join(", ")
      }. ${capitalised(officialCliNote(store))}.`,
    );
  }
  out.print();
  out.print((options.reveal ? snapshot.text : serializeConfig(contents)).replace(/\n$/, ""), {
    verbatim: true,
  });
  if (options.reveal) printStored(ctx, snapshot.config, stores);
}

/** With --reveal: each stored secret, as a comment after the file's own text. */
function printStored(ctx: Context, config: AblyConfig, stores: SecretStore[]): void {
  for (const store of stores) {
    ctx.out.print();
    ctx.out.print(`# From ${store.label} (${store.place()}):`);
    for (const slot of secretSlots(config).values()) {
      if (slot.store !== store.name) continue;
      for (const field of slot.fields) {
        const value = slot.table[field];
        if (typeof value === "string") {
          ctx.out.print(`# ${slot.item}: ${field} = ${JSON.stringify(value)}`, { verbatim: true });
        }
      }
    }
  }
}
