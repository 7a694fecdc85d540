/**
 * `ably config show [--reveal]`: the config, tokens and API key secrets masked unless
 * --reveal. Says which accounts keep their tokens in the OS keychain; reads them from
 * there only with --reveal.
 */
import type { Context } from "../../context.ts";
import { CliError } from "../../errors.ts";
import { serializeConfig } from "../../config/store.ts";
import { maskSecrets } from "../../config/mask.ts";
import { accountsOf } from "../../config/accounts.ts";
import {
  credentialsLocation,
  keychainSlots,
  OFFICIAL_CLI_NOTE,
} from "../../config/credential-marks.ts";
import { KEYCHAIN_SERVICE } from "../../credentials/keychain.ts";

export type ShowOptions = {
  reveal?: boolean;
};

export async function run(ctx: Context, options: ShowOptions): Promise<void> {
  const { out } = ctx;
  const { file } = ctx.settings.config;
  const snapshot = await ctx.store.snapshot({ reveal: options.reveal });
  if (!snapshot) {
    throw new CliError(
      `Config file does not exist at: ${file}\nRun "ably accounts login" to create one.`,
      { component: "configShow", context: { path: file } },
    );
  }
  const inKeychain = Object.keys(accountsOf(snapshot.config)).filter((alias) =>
    credentialsLocation(snapshot.config, alias) === "keychain"
  );
  if (options.reveal && inKeychain.length) {
    await ctx.store.loadSecrets(snapshot.config, undefined, { reveal: true });
  }
  const contents = options.reveal ? snapshot.config : maskSecrets(snapshot.config);
  out.result({
    config: {
      exists: true,
      path: file,
      contents,
      ...(inKeychain.length
        ? { keychain: { service: KEYCHAIN_SERVICE, accounts: inKeychain } }
        : {}),
    },
  });
  out.print(`# Config file: ${file}`);
  if (inKeychain.length) {
    out.print(
      `# Tokens in the OS keychain (service ${KEYCHAIN_SERVICE}), not in this file: ${
        inKeychain.join(", ")
      }; ${OFFICIAL_CLI_NOTE}.`,
    );
  }
  out.print();
  out.print((options.reveal ? snapshot.text : serializeConfig(contents)).replace(/\n$/, ""), {
    verbatim: true,
  });
  if (options.reveal && inKeychain.length) {
    out.print();
    out.print(`# From the OS keychain (service ${KEYCHAIN_SERVICE}):`);
    for (const slot of keychainSlots(snapshot.config).values()) {
      for (const field of slot.fields) {
        const value = slot.table[field];
        if (typeof value === "string") {
          out.print(`# ${slot.item}: ${field} = ${JSON.stringify(value)}`, { verbatim: true });
        }
      }
    }
  }
}
