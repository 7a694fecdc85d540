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

/** Sorts a native keyring failure into the cases the user can act on. */
export function classify(error: unknown): KeychainError {
  if (error instanceof KeychainError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const kind: KeychainProblem = /\blocked\b|unlock/i.test(message)
    ? "locked"
    : /cancel|dismiss|interaction is not allowed|errSecAuthFailed|user denied|-128\b/i.test(message)
    ? "denied"
    : /platform storage|d-?bus|org\.freedesktop|ServiceUnknown|AccessDenied|secret service/i
        .test(message)
    ? "unavailable"
    : "failed";
  return new KeychainError(kind, message, { cause: error });
}

/** What to do about a keychain problem, for messages. */
export function fixFor(kind: KeychainProblem, os: string = Deno.build.os): string {
  switch (kind) {
    case "unavailable":
      return os === "linux"
        ? "ably needs a Secret Service (GNOME Keyring or KWallet) running in your desktop session " +
          "(on a headless machine: dbus-run-session with gnome-keyring-daemon --unlock). Start one " +
          "and try again"
        : "Check that your user's keychain is available and try again";
    case "locked":
      return os === "darwin"
        ? "Unlock your login keychain (Keychain Access, or security unlock-keychain) and try again"
        : "Unlock your keyring (log in to the desktop, or gnome-keyring-daemon --unlock) and try again";
    case "denied":
      return "Allow ably to use the keychain item when asked, and try again";
    case "failed":
      return "Check your keychain and try again";
  }
}
