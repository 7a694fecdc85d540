/**
 * The real OS credential store through `@napi-rs/keyring` (the Rust `keyring`
 * crate, N-API). Imported only when an account uses the keychain or a login
 * asks for it: loading it wakes Deno's Node layer and a native library.
 *
 * On Linux a missing, locked or unreachable Secret Service makes reads and
 * deletes look like "no such item"; so every "no such item" is checked with a
 * write probe, and only a keychain that takes a write is believed.
 */
import {
  classify,
  type CredentialStore,
  KEYCHAIN_SERVICE,
  KeychainError,
  PROBE_ITEM,
} from "./keychain.ts";

const NO_ENTRY = /no matching entry|NoEntry/i;

export async function openKeychain(service: string = KEYCHAIN_SERVICE): Promise<CredentialStore> {
  // Imported here, not at the top: `deno bundle --external @napi-rs/keyring` (the offline
  // stand-in for deno compile) can then leave it out without breaking start-up.
  let AsyncEntry: typeof import("@napi-rs/keyring").AsyncEntry;
  try {
    ({ AsyncEntry } = await import("@napi-rs/keyring"));
  } catch (error) {
    throw new KeychainError(
      "unavailable",
      `the keychain module could not be loaded: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  const entry = (item: string) => {
    try {
      return new AsyncEntry(service, item);
    } catch (error) {
      throw classify(error);
    }
  };
  /** Throws the keychain's real problem, if it has one. */
  const probe = async () => {
    try {
      const probe = entry(PROBE_ITEM);
      await probe.setPassword("probe");
      await probe.deleteCredential();
    } catch (error) {
      throw classify(error);
    }
  };
  return {
    async get(item) {
      let secret: string | undefined;
      try {
        secret = (await entry(item).getPassword()) ?? undefined;
      } catch (error) {
        if (!(error instanceof Error && NO_ENTRY.test(error.message))) throw classify(error);
      }
      if (secret === undefined) await probe();
      return secret;
    },
    async set(item, secret) {
      try {
        await entry(item).setPassword(secret);
      } catch (error) {
        throw classify(error);
      }
    },
    async delete(item) {
      let deleted = false;
      try {
        deleted = await entry(item).deleteCredential();
      } catch (error) {
        if (!(error instanceof Error && NO_ENTRY.test(error.message))) throw classify(error);
      }
      if (!deleted) await probe();
      return deleted;
    },
  };
}
