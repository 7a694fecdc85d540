/**
 * sorted and fixFor (the OS keychain store's own failures): every documented failure of the three platforms, as
 * @napi-rs/keyring 1.3.0 words it, sorts into the kind whose fix is right.
 *
 * Message shapes: keyring-core 1.0's Display, read from the 1.3.0 Linux binary
 * ("Platform failure: ", "Couldn't access platform storage: ", "No matching
 * credential found"), napi's anyhow conversion (`format!("{:?}")`: the chain under
 * "Caused by:"); the platform texts from each store's error mapping:
 * apple-native-keyring-store (security-framework: SecCopyErrorMessageString, whose
 * texts are SecBase.h's comments, else "error code N"), windows-native-keyring-store
 * ("Windows ERROR_…" / "Windows error code N"), dbus-secret-service 4.1 and
 * secret-service 5.1 (Linux), linux-keyutils (its fallback store).
 */
import assert from "node:assert/strict";
import { fixFor, NO_ENTRY, sorted } from "../../src/credentials/os-keychain.ts";
import { StoreError, type StoreProblem } from "../../src/credentials/store.ts";
import { nativeError } from "../helpers/fake-keychain.ts";

const platformFailure = (text: string) => nativeError(`Platform failure: ${text}`, text);
const noAccess = (text: string) => nativeError(`Couldn't access platform storage: ${text}`, text);

const CASES: [string, Error | string, StoreProblem][] = [
  // macOS (Security framework statuses)
  [
    "errSecInteractionNotAllowed -25308",
    platformFailure("User interaction is not allowed."),
    "locked",
  ],
  ["errSecInteractionNotAllowed, no text", platformFailure("error code -25308"), "locked"],
  [
    "errSecInteractionRequired -25315",
    platformFailure("User interaction is required, but is currently not allowed."),
    "locked",
  ],
  ["errSecInDarkWake -25320", platformFailure("In dark wake, no UI possible"), "locked"],
  ["errSecUserCanceled -128", platformFailure("User canceled the operation."), "denied"],
  ["errSecUserCanceled, no text", platformFailure("error code -128"), "denied"],
  [
    "errSecAuthFailed -25293",
    platformFailure("The user name or passphrase you entered is not correct."),
    "denied",
  ],
  ["errSecAuthFailed, no text", platformFailure("error code -25293"), "denied"],
  [
    "errSecNotAvailable -25291",
    noAccess("No keychain is available. You may need to restart your computer."),
    "unavailable",
  ],
  [
    "errSecNoSuchKeychain -25294",
    noAccess("The specified keychain could not be found."),
    "unavailable",
  ],
  ["errSecNoSuchKeychain, no text", noAccess("error code -25294"), "unavailable"],
  [
    "errSecInvalidKeychain -25295",
    noAccess("The specified keychain is not a valid keychain file."),
    "unavailable",
  ],
  [
    "errSecNoDefaultKeychain -25307",
    platformFailure("A default keychain could not be found."),
    "unavailable",
  ],
  ["errSecNoDefaultKeychain, no text", platformFailure("error code -25307"), "unavailable"],
  ["errSecReadOnly -25292", noAccess("This keychain cannot be modified."), "unavailable"],
  [
    "errSecDuplicateItem -25299",
    platformFailure("The specified item already exists in the keychain."),
    "failed",
  ],
  [
    "errSecParam -50",
    platformFailure("One or more parameters passed to a function were not valid."),
    "failed",
  ],
  // Windows (Credential Manager)
  [
    "ERROR_NO_SUCH_LOGON_SESSION 1312",
    noAccess("Windows ERROR_NO_SUCH_LOGON_SESSION"),
    "unavailable",
  ],
  ["ERROR_ACCESS_DENIED 5", platformFailure("Windows error code 5"), "denied"],
  ["ERROR_CANCELLED 1223", platformFailure("Windows error code 1223"), "denied"],
  ["ERROR_BAD_USERNAME 2202", platformFailure("Windows ERROR_BAD_USERNAME"), "failed"],
  ["ERROR_INVALID_PARAMETER 87", platformFailure("Windows ERROR_INVALID_PARAMETER"), "failed"],
  ["Windows error 50 is not 5", platformFailure("Windows error code 50"), "failed"],
  [
    "blob too long (TooLong)",
    nativeError("Value of 'password' is longer than the platform limit of 2560 chars"),
    "failed",
  ],
  // Linux (Secret Service, dbus-secret-service 4.1)
  ["Secret Service locked", noAccess("Secret Service: object locked"), "locked"],
  [
    "Secret Service unlock prompt dismissed",
    noAccess("Secret Service: unlock prompt was dismissed"),
    "locked",
  ],
  [
    "create_item on a locked collection",
    platformFailure("Secret Service: unlock prompt was dismissed"),
    "locked",
  ],
  [
    "Secret Service no default collection",
    noAccess("Secret Service: no result found"),
    "unavailable",
  ],
  [
    "Secret Service unavailable",
    platformFailure("No DBus session or Secret Service provider found"),
    "unavailable",
  ],
  [
    "D-Bus service unknown",
    platformFailure(
      "DBus error: The name org.freedesktop.secrets was not provided by any .service files",
    ),
    "unavailable",
  ],
  [
    "no session bus",
    platformFailure("DBus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11"),
    "unavailable",
  ],
  // Linux (secret-service 5.1, used by findCredentials)
  ["secret-service 5: locked", nativeError("SS Error: object locked"), "locked"],
  [
    "secret-service 5: locked item (measured)",
    nativeError(
      "zbus error: org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object",
    ),
    "locked",
  ],
  ["secret-service 5: prompt dismissed", nativeError("SS error: prompt dismissed"), "locked"],
  [
    "secret-service 5: no service",
    nativeError("no secret service provider or dbus session found"),
    "unavailable",
  ],
  // Linux (keyutils fallback, e.g. a container that forbids keyctl: measured here)
  ["keyutils refused", noAccess("AccessDenied"), "unavailable"],
  ["keyutils other", platformFailure("OperationNotSupported"), "failed"],
  // Wording from other layers
  ["generic 'Failed to unlock'", "Failed to unlock the keyring", "locked"],
  ["a locked keychain, said plainly", new Error("the keychain is locked"), "locked"],
  // Refusals in other words (other stores, other library versions): the user's answer.
  ["an access dialog cancelled", new Error("The operation was cancelled"), "denied"],
  ["an access request the user denied", new Error("access: user denied the request"), "denied"],
  ["an unknown failure", new Error("something else"), "failed"],
  ["a thrown non-Error", 42 as unknown as string, "failed"],
];

Deno.test("sorted: each platform's documented failures -> the kind the user can act on", () => {
  for (const [name, error, kind] of CASES) {
    const problem = sorted(error);
    assert.equal(problem.problem, kind, `${name}: ${problem.message}`);
    assert.ok(problem instanceof StoreError);
    assert.equal(problem.cause, error, name);
  }
});

Deno.test("sorted: a StoreError passes through unchanged", () => {
  const error = new StoreError("locked", "already sorted");
  assert.equal(sorted(error), error);
});

Deno.test("NO_ENTRY: 'no such item' in each binding's wording, and nothing else", () => {
  const cases: [string, boolean][] = [
    ["No matching credential found", true], // keyring-core 1.0
    ["No matching entry found in secure storage", true], // keyring 3
    ["Platform failure: The specified item could not be found in the keychain.", true], // -25300
    ["Platform failure: error code -25300", true],
    ["Platform failure: Windows ERROR_NOT_FOUND", true], // 1168
    ["Platform failure: Windows error code 1168", true],
    ["Couldn't access platform storage: Secret Service: no result found", false],
    ["Couldn't access platform storage: Secret Service: object locked", false],
    ["Platform failure: Windows error code 11680", false],
  ];
  for (const [message, missing] of cases) assert.equal(NO_ENTRY.test(message), missing, message);
});

Deno.test("fixFor: per OS and kind, and never 'log in' for a keychain that is locked or absent", () => {
  const expected: [StoreProblem, string, RegExp][] = [
    ["unavailable", "linux", /Secret Service.*gnome-keyring-daemon --unlock/],
    ["unavailable", "darwin", /login keychain exists.*security default-keychain/],
    ["unavailable", "windows", /interactive logon session/],
    ["unavailable", "freebsd", /keychain is available/],
    ["locked", "darwin", /security unlock-keychain/],
    ["locked", "linux", /Unlock your keyring/],
    ["locked", "windows", /Unlock your keychain/],
    ["denied", "darwin", /Allow ably to use the keychain item when macOS asks/],
    ["denied", "linux", /Allow ably to use the keychain item when asked/],
    ["failed", "windows", /Check your keychain/],
  ];
  for (const [kind, os, pattern] of expected) {
    const fix = fixFor(kind, os);
    assert.match(fix, pattern, `${kind} on ${os}`);
    assert.doesNotMatch(fix, /log ?in again|ably accounts login/i, `${kind} on ${os}`);
  }
  assert.equal(fixFor("failed"), "Check your keychain and try again");
});
