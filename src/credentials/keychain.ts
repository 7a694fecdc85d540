/**
 * Secrets kept in the OS credential store (macOS Keychain, Windows Credential
 * Manager, Linux Secret Service) instead of the config file. This module is
 * plain data and messages; the native binding lives in `os-keychain.ts` and is
 * loaded only when an account uses the keychain or a login asks for it.
 */

/** Where one secret item lives: the OS keychain, or a stand-in in tests. */
export interface CredentialStore {
  /** The item's secret, or `undefined` when there is no such item. */
  get(item: string): Promise<string | undefined>;
  set(item: string, secret: string): Promise<void>;
  /** Whether an item was deleted (`false`: there was none). */
  delete(item: string): Promise<boolean>;
  /** The names of this CLI's items, sorted; absent where the store cannot enumerate. */
  list?(): Promise<string[]>;
}

/** Why the keychain is checked before anything is asked or issued, for the message. */
export interface KeychainCheck {
  /** A login that itself asked for the keychain (--keychain, ABLY_CLI_CREDENTIAL_STORE). */
  loginAsked?: boolean;
  /** Accounts whose keychain tokens the coming change may read or replace. */
  accounts?: string[];
}

/** The service every item of this CLI is filed under. */
export const KEYCHAIN_SERVICE = "ably-cli-deno";

/** The item written and deleted to learn whether the keychain takes writes. */
export const PROBE_ITEM = "ably-cli-deno-probe";

export type KeychainProblem = "unavailable" | "locked" | "denied" | "failed";

/** A keychain operation failed; `kind` says why, so the message can name the fix. */
export class KeychainError extends Error {
  constructor(readonly kind: KeychainProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KeychainError";
  }
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
const KINDS: [RegExp, KeychainProblem][] = [
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

/** Sorts a native keyring failure into the cases the user can act on. */
export function classify(error: unknown): KeychainError {
  if (error instanceof KeychainError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const kind = KINDS.find(([pattern]) => pattern.test(message))?.[1] ?? "failed";
  return new KeychainError(kind, message, { cause: error });
}

/** What to do about a keychain problem, for messages. Never "log in again": the tokens are fine. */
export function fixFor(kind: KeychainProblem, os: string = Deno.build.os): string {
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
