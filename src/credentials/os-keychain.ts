/**
 * The real OS credential store through `@napi-rs/keyring` (keyring-core, N-API).
 * Imported only when an account uses the keychain or a login asks for it: loading
 * it wakes Deno's Node layer and a native library.
 *
 * The binding (1.3.0) resolves `getPassword` to `undefined` and `deleteCredential`
 * to `false` on *any* failure: a locked, missing or unreachable keychain reads as
 * "no such item". So every "no such item" is checked with a write probe (only a
 * keychain that takes a write is believed), and then asked once more, in case the
 * probe's prompt unlocked it.
 */
import {
  classify,
  type CredentialStore,
  KEYCHAIN_SERVICE,
  KeychainError,
  NO_ENTRY,
  PROBE_ITEM,
} from "./keychain.ts";

/** The part of `AsyncEntry` this module uses. */
export interface KeyringEntry {
  getPassword(): Promise<string | null | undefined>;
  setPassword(password: string): Promise<void>;
  deleteCredential(): Promise<boolean>;
}

/** The part of `@napi-rs/keyring` this module uses; tests pass a scripted one. */
export interface KeyringBinding {
  AsyncEntry: new (service: string, account: string) => KeyringEntry;
  findCredentialsAsync?: (service: string) => Promise<{ account: string }[]>;
}

// Imported here, not at the top: `deno bundle --external @napi-rs/keyring` (the offline
// stand-in for deno compile) can then leave it out without breaking start-up.
const nativeBinding = (): Promise<KeyringBinding> => import("@napi-rs/keyring");

const isNoEntry = (error: unknown) => error instanceof Error && NO_ENTRY.test(error.message);

export async function openKeychain(
  service: string = KEYCHAIN_SERVICE,
  load: () => Promise<KeyringBinding> = nativeBinding,
  bus: () => string | undefined = sessionBusProblem,
): Promise<CredentialStore> {
  // With no session bus to reach a Secret Service, the binding falls back to the kernel's
  // keyring, which forgets its keys at logout: tokens "kept" there would be lost. Refuse first.
  const noBus = bus();
  if (noBus !== undefined) throw new KeychainError("unavailable", noBus);
  let binding: KeyringBinding;
  try {
    binding = await load();
  } catch (error) {
    throw new KeychainError(
      "unavailable",
      `the keychain module could not be loaded: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  const entry = (item: string) => {
    try {
      return new binding.AsyncEntry(service, item);
    } catch (error) {
      throw classify(error);
    }
  };
  /** Throws the keychain's real problem, if it has one. */
  const probe = async () => {
    const probe = entry(PROBE_ITEM);
    try {
      await probe.setPassword("probe");
    } catch (error) {
      throw classify(error);
    }
    // Best effort: a probe item left behind holds nothing and is overwritten next time.
    await probe.deleteCredential().catch(() => false);
  };
  const read = async (item: string) => {
    try {
      return (await entry(item).getPassword()) ?? undefined;
    } catch (error) {
      if (!isNoEntry(error)) throw classify(error);
      return undefined;
    }
  };
  const remove = async (item: string) => {
    try {
      return await entry(item).deleteCredential();
    } catch (error) {
      if (!isNoEntry(error)) throw classify(error);
      return false;
    }
  };
  const list = async (find: NonNullable<KeyringBinding["findCredentialsAsync"]>) => {
    let found: { account: string }[];
    try {
      found = await find(service);
    } catch (error) {
      throw classify(error);
    }
    // The binding hands back each item's secret too; only the names leave this function.
    const names = new Set(found.map((credential) => credential.account));
    names.delete(PROBE_ITEM);
    return [...names].sort();
  };
  return {
    async get(item) {
      const secret = await read(item);
      if (secret !== undefined) return secret;
      await probe();
      return await read(item);
    },
    async set(item, secret) {
      try {
        await entry(item).setPassword(secret);
      } catch (error) {
        throw classify(error);
      }
    },
    async delete(item) {
      if (await remove(item)) return true;
      await probe();
      return await remove(item);
    },
    // Only where the binding can enumerate: callers then say listing is not supported.
    ...(binding.findCredentialsAsync ? { list: () => list(binding.findCredentialsAsync!) } : {}),
  };
}

/**
 * Why no D-Bus session bus can be reached (Linux), or `undefined` when one may be: the
 * address is unset, or names a socket file that does not exist. (An abstract socket, or a
 * bus with no Secret Service on it, cannot be told apart here.)
 */
function sessionBusProblem(): string | undefined {
  if (Deno.build.os !== "linux") return undefined;
  let address: string | undefined;
  try {
    address = Deno.env.get("DBUS_SESSION_BUS_ADDRESS");
  } catch {
    return undefined; // not granted: let the binding find out
  }
  if (!address) {
    return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service";
  }
  const path = /(?:^|;)unix:(?:[^;]*,)?path=([^,;]+)/.exec(address)?.[1];
  if (path === undefined) return undefined;
  try {
    Deno.statSync(path);
    return undefined;
  } catch {
    return `no D-Bus session bus at ${path}, so no Secret Service`;
  }
}
