/**
 * The OS credential store (macOS Keychain, Windows Credential Manager, Linux Secret
 * Service) as a secret store, through `@napi-rs/keyring` (keyring-core, N-API). The
 * native module is loaded only when a store is opened (an account uses the keychain, or
 * a login asks for it): loading it wakes Deno's Node layer and a native library.
 *
 * The binding (1.3.0) resolves `getPassword` to `undefined` and `deleteCredential`
 * to `false` on *any* failure: a locked, missing or unreachable keychain reads as
 * "no such item". So every "no such item" is checked with a write probe (only a
 * keychain that takes a write is believed), and then asked once more, in case the
 * probe's prompt unlocked it. Its failures are sorted by their native wording.
 */
import {
  PROBE_ITEM,
  type SecretItems,
  type SecretStore,
  StoreError,
  type StoreProblem,
} from "./store.ts";

/** The service every item of this CLI is filed under. */
export const KEYCHAIN_SERVICE = "ably-cli-deno";

/**
 * Windows Credential Manager's limits, as keyring-core stores an item: the secret as
 * UTF-16 in a blob of at most CRED_MAX_CREDENTIAL_BLOB_SIZE (5 × 512 = 2,560 bytes), the
 * item's name as the credential's user name (CRED_MAX_USERNAME_LENGTH, 513 with the NUL).
 * The macOS Keychain and the Secret Service have none an item of ours could reach.
 */
const WINDOWS_LIMITS = { name: 512, secret: 1280 };

/** The OS keychain as a store; `open` is replaced by the tests' in-memory items. */
export function osKeychain(
  open: () => Promise<SecretItems> = () => openKeychain(),
  os: string = Deno.build.os,
): SecretStore {
  return {
    ...(os === "windows" ? { limits: WINDOWS_LIMITS } : {}),
    name: "keychain",
    label: "the OS keychain",
    title: "OS keychain",
    place: (item) =>
      item === undefined
        ? `service ${KEYCHAIN_SERVICE}`
        : `service ${KEYCHAIN_SERVICE}, account ${item}`,
    open,
    classify: (error) => sorted(error).problem,
    fixFor: (problem) => fixFor(problem),
  };
}

/**
 * "No such item" as the binding words it. keyring-core 1.0 (what @napi-rs/keyring
 * 1.3.0 is built on) says "No matching credential found"; keyring 3 said "No matching
 * entry found in secure storage"; macOS errSecItemNotFound (-25300) reads "The specified
 * item could not be found in the keychain.".
 */
export const NO_ENTRY =
  /No matching (?:credential|entry) found|\bNoEntry\b|specified item could not be found|error code -25300\b|ERROR_NOT_FOUND\b|Windows error code 1168\b/i;

/**
 * Native failure messages to kinds, first match wins. The binding's messages are
 * keyring-core's Display ("Platform failure: …" / "Couldn't access platform storage: …")
 * around the platform's own text: macOS SecCopyErrorMessageString (or "error code N"
 * when there is none), Windows "Windows ERROR_…" / "Windows error code N", and the
 * Secret Service crates' texts. Locked comes first: a dismissed unlock prompt must never
 * read as a refusal, let alone as "no item".
 */
const KINDS: [RegExp, StoreProblem][] = [
  // Secret Service: "Secret Service: object locked", "SS Error: object locked",
  // "Secret Service: unlock prompt was dismissed", "SS error: prompt dismissed".
  [/object locked|prompt (?:was )?dismissed|\bunlock|\blocked\b/i, "locked"],
  // macOS errSecInteractionNotAllowed (-25308), errSecInteractionRequired (-25315),
  // errSecInDarkWake (-25320): the keychain is locked and no dialog can be shown (SSH).
  [
    /User interaction is (?:not allowed|required)|In dark wake|error code -253(?:08|15|20)\b/i,
    "locked",
  ],
  // macOS errSecUserCanceled (-128), errSecAuthFailed (-25293, "Deny" or a wrong
  // password in the access dialog); Windows ERROR_ACCESS_DENIED (5), ERROR_CANCELLED (1223).
  [
    /User canceled|user name or passphrase you entered is not correct|error code -(?:128|25293)\b|Windows error code (?:5|1223)\b|cancel|user denied/i,
    "denied",
  ],
  // macOS errSecNotAvailable (-25291), errSecNoSuchKeychain (-25294), errSecInvalidKeychain
  // (-25295), errSecNoDefaultKeychain (-25307); Windows ERROR_NO_SUCH_LOGON_SESSION (1312).
  [
    /No keychain is available|keychain could not be found|not a valid keychain file|error code -25(?:291|294|295|307)\b|NO_SUCH_LOGON_SESSION|Windows error code 1312\b/i,
    "unavailable",
  ],
  // Linux: no session bus or no Secret Service ("No DBus session or Secret Service provider
  // found", "no secret service provider or dbus session found", ServiceUnknown), no default
  // collection ("Secret Service: no result found"), keyutils refused (AccessDenied), and
  // any other "couldn't access platform storage" (keyring-core NoStorageAccess).
  [
    /secret service provider|no result found|ServiceUnknown|org\.freedesktop|d-?bus|AccessDenied|platform (?:secure )?storage|keychain module/i,
    "unavailable",
  ],
];

/** A native keyring failure as a `StoreError` of the kind the user can act on. */
export function sorted(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const kind = KINDS.find(([pattern]) => pattern.test(message))?.[1] ?? "failed";
  return new StoreError(kind, message, { cause: error });
}

/** What to do about a keychain problem, for messages. Never "log in again": the tokens are fine. */
export function fixFor(kind: StoreProblem, os: string = Deno.build.os): string {
  switch (kind) {
    case "unavailable":
      return os === "linux"
        ? "ably needs a Secret Service (GNOME Keyring or KWallet) running in your desktop session " +
          "(on a headless machine: dbus-run-session with gnome-keyring-daemon --unlock). Start one " +
          "and try again"
        : os === "darwin"
        ? "Check that your login keychain exists and is the default (Keychain Access, or security " +
          "default-keychain) and try again"
        : os === "windows"
        ? "Windows Credential Manager needs an interactive logon session (not a service or a " +
          "network logon): run ably from your desktop session and try again"
        : "Check that your user's keychain is available and try again";
    case "locked":
      return os === "darwin"
        ? "Unlock your login keychain (Keychain Access, or security unlock-keychain over SSH) and " +
          "try again"
        : os === "linux"
        ? "Unlock your keyring (log in to the desktop, or gnome-keyring-daemon --unlock) and try again"
        : "Unlock your keychain and try again";
    case "denied":
      return os === "darwin"
        ? "Allow ably to use the keychain item when macOS asks (your login password, then Allow or " +
          "Always Allow) and try again"
        : "Allow ably to use the keychain item when asked, and try again";
    case "failed":
      return "Check your keychain and try again";
  }
}

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
): Promise<SecretItems> {
  // With no session bus to reach a Secret Service, the binding falls back to the kernel's
  // keyring, which forgets its keys at logout: tokens "kept" there would be lost. Refuse first.
  const noBus = bus();
  if (noBus !== undefined) throw new StoreError("unavailable", noBus);
  let binding: KeyringBinding;
  try {
    binding = await load();
  } catch (error) {
    throw new StoreError(
      "unavailable",
      `the keychain module could not be loaded: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  const entries = entriesOf(binding, service);
  return {
    async get(item) {
      const secret = await entries.read(item);
      if (secret !== undefined) return secret;
      await entries.probe();
      return await entries.read(item);
    },
    async set(item, secret) {
      try {
        await entries.entry(item).setPassword(secret);
      } catch (error) {
        throw sorted(error);
      }
    },
    async delete(item) {
      if (await entries.remove(item)) return true;
      await entries.probe();
      return await entries.remove(item);
    },
    // Only where the binding can enumerate: callers then say listing is not supported.
    ...(binding.findCredentialsAsync
      ? { list: () => namesIn(binding.findCredentialsAsync!, service) }
      : {}),
  };
}

/** The binding's entries of `service`, each step's failure sorted. */
function entriesOf(binding: KeyringBinding, service: string) {
  const entry = (item: string) => {
    try {
      return new binding.AsyncEntry(service, item);
    } catch (error) {
      throw sorted(error);
    }
  };
  return {
    entry,
    /** Throws the keychain's real problem, if it has one. */
    async probe() {
      const probe = entry(PROBE_ITEM);
      try {
        await probe.setPassword("probe");
      } catch (error) {
        throw sorted(error);
      }
      // Best effort: a probe item left behind holds nothing and is overwritten next time.
      await probe.deleteCredential().catch(() => false);
    },
    async read(item: string) {
      try {
        return (await entry(item).getPassword()) ?? undefined;
      } catch (error) {
        if (!isNoEntry(error)) throw sorted(error);
        return undefined;
      }
    },
    async remove(item: string) {
      try {
        return await entry(item).deleteCredential();
      } catch (error) {
        if (!isNoEntry(error)) throw sorted(error);
        return false;
      }
    },
  };
}

/** The names of `service`'s items, the probe's left out. */
async function namesIn(
  find: NonNullable<KeyringBinding["findCredentialsAsync"]>,
  service: string,
): Promise<string[]> {
  let found: { account: string }[];
  try {
    found = await find(service);
  } catch (error) {
    throw sorted(error);
  }
  // The binding hands back each item's secret too; only the names leave this function.
  const names = new Set(found.map((credential) => credential.account));
  names.delete(PROBE_ITEM);
  return [...names].sort();
}

/**
 * Why no D-Bus session bus can be reached (Linux), or `undefined` when one may be: the
 * address is unset, or names a path that is not a socket. (An abstract socket, or a
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
    // A socket, or nothing to connect to: a directory or a file there is no bus either.
    if (Deno.statSync(path).isSocket !== false) return undefined;
  } catch {
    // Not there at all.
  }
  return `no D-Bus session bus at ${path}, so no Secret Service`;
}
