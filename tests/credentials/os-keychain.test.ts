/**
 * openKeychain, the real module, over a scripted `@napi-rs/keyring` that behaves as
 * 1.3.0 does: reads and deletes swallow every failure, writes and listing throw the
 * native wording. A locked or absent keychain must never read as "no such item".
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { PROBE_ITEM, StoreError, type StoreProblem } from "../../src/credentials/store.ts";
import { openKeychain } from "../../src/credentials/os-keychain.ts";
import {
  type BindingScript,
  bindingScript,
  fakeBinding,
  NATIVE,
} from "../helpers/fake-keychain.ts";
import { tempDir, tempFile } from "../helpers/cli.ts";
import { until, withDeadline } from "../helpers/deadline.ts";

const SERVICE = "ably-cli-deno";

/** A session bus that may have a Secret Service on it (the binding is the judge). */
const BUS = () => undefined;

function open(script: BindingScript) {
  return openKeychain(SERVICE, () => Promise.resolve(fakeBinding(script)), BUS);
}

/** The rejection of `promise`, which must be a StoreError of `kind`. */
async function rejectsWith(
  promise: Promise<unknown>,
  kind: StoreProblem,
): Promise<StoreError> {
  const error = await promise.then(() => undefined, (error: unknown) => error);
  assert.ok(error instanceof StoreError, `expected a StoreError, got ${error}`);
  assert.equal(error.problem, kind, error.message);
  return error;
}

Deno.test("openKeychain: get, set, delete and list an item; the probe only when it is missing", async () => {
  const script = bindingScript();
  const store = await open(script);
  await store.set("acme", "tokens");
  assert.equal(await store.get("acme"), "tokens");
  assert.deepEqual(await store.list!(), ["acme"]);
  assert.equal(await store.delete("acme"), true);
  assert.deepEqual(script.calls.filter((call) => call.includes(PROBE_ITEM)), []);
  assert.deepEqual(script.items, new Map());
});

Deno.test("openKeychain: a missing item on a keychain that takes writes is 'no item' (probe written and removed)", async () => {
  for (const throwing of [false, true]) {
    const script = Object.assign(bindingScript(), { throwing });
    const store = await open(script);
    assert.equal(await store.get("gone"), undefined);
    assert.equal(await store.delete("gone"), false);
    assert.deepEqual(script.calls, [
      `${SERVICE} new gone`,
      `${SERVICE} get gone`,
      `${SERVICE} new ${PROBE_ITEM}`,
      `${SERVICE} set ${PROBE_ITEM}`,
      `${SERVICE} delete ${PROBE_ITEM}`,
      `${SERVICE} new gone`,
      `${SERVICE} get gone`,
      `${SERVICE} new gone`,
      `${SERVICE} delete gone`,
      `${SERVICE} new ${PROBE_ITEM}`,
      `${SERVICE} set ${PROBE_ITEM}`,
      `${SERVICE} delete ${PROBE_ITEM}`,
      `${SERVICE} new gone`,
      `${SERVICE} delete gone`,
    ], `throwing: ${throwing}`);
    assert.equal(script.items.size, 0);
  }
});

Deno.test("openKeychain: a locked, absent or refusing keychain never reads or deletes as 'no item'", async () => {
  const cases: [string, () => Error, StoreProblem][] = [
    ["locked (Secret Service)", NATIVE.locked, "locked"],
    ["no default collection", NATIVE.unavailable, "unavailable"],
    ["user canceled (macOS)", NATIVE.denied, "denied"],
  ];
  for (const [name, failure, kind] of cases) {
    for (const throwing of [false, true]) {
      const script = Object.assign(bindingScript({ acme: "tokens" }), { failure, throwing });
      const store = await open(script);
      const label = `${name}, throwing: ${throwing}`;
      assert.match((await rejectsWith(store.get("acme"), kind)).message, /./, label);
      await rejectsWith(store.get("missing"), kind);
      await rejectsWith(store.delete("acme"), kind);
      await rejectsWith(store.delete("missing"), kind);
      await rejectsWith(store.set("acme", "new"), kind);
      await rejectsWith(store.list!(), kind);
      assert.deepEqual(script.items, new Map([["acme", "tokens"]]), label);
    }
  }
});

Deno.test("openKeychain: an item found after the probe's prompt unlocked the keychain is read and deleted", async () => {
  const script: BindingScript = { ...bindingScript({ acme: "tokens" }), failure: NATIVE.locked };
  const binding = fakeBinding(script);
  // The probe's write shows the unlock prompt and the user unlocks: the write goes through.
  const store = await openKeychain(SERVICE, () =>
    Promise.resolve({
      ...binding,
      AsyncEntry: class extends binding.AsyncEntry {
        override setPassword(password: string) {
          script.failure = undefined;
          return super.setPassword(password);
        }
      },
    }), BUS);
  assert.equal(await store.get("acme"), "tokens");
  script.failure = NATIVE.locked;
  assert.equal(await store.delete("acme"), true);
  assert.deepEqual(script.items, new Map());
});

Deno.test("openKeychain: entries that cannot be built, a module that cannot load", async () => {
  const script = Object.assign(bindingScript(), {
    constructorFailure: () => NATIVE.unavailable(),
  });
  const store = await open(script);
  await rejectsWith(store.get("acme"), "unavailable");
  await rejectsWith(store.set("acme", "x"), "unavailable");
  await rejectsWith(store.delete("acme"), "unavailable");

  const failing = openKeychain(
    SERVICE,
    () => Promise.reject(new Error("Cannot find module")),
    BUS,
  );
  const error = await rejectsWith(failing, "unavailable");
  assert.match(error.message, /the keychain module could not be loaded: Cannot find module/);
  const odd = openKeychain(SERVICE, () => Promise.reject("dlopen failed"), BUS);
  assert.match((await rejectsWith(odd, "unavailable")).message, /dlopen failed/);
});

Deno.test("openKeychain: a probe whose clean-up fails still counts; a read that throws otherwise is classified", async () => {
  const script = bindingScript();
  const binding = fakeBinding(script);
  const store = await openKeychain(SERVICE, () =>
    Promise.resolve({
      ...binding,
      AsyncEntry: class extends binding.AsyncEntry {
        constructor(service: string, readonly account: string) {
          super(service, account);
        }
        override deleteCredential() {
          return this.account === PROBE_ITEM
            ? Promise.reject(new Error("Platform failure: Windows error code 87"))
            : super.deleteCredential();
        }
        override getPassword() {
          return this.account === "odd"
            ? Promise.reject(new Error("Platform failure: User interaction is not allowed."))
            : super.getPassword();
        }
      },
    }), BUS);
  assert.equal(await store.get("missing"), undefined);
  await rejectsWith(store.get("odd"), "locked");
  // The left-behind probe item never shows in a listing.
  assert.deepEqual(await store.list!(), []);
  script.items.delete(PROBE_ITEM);
});

Deno.test("openKeychain: list sorts the names and leaves out the probe; a binding without findCredentialsAsync has no list", async () => {
  const script = bindingScript({ "b::x": "1", "a::x": "2", [PROBE_ITEM]: "probe" });
  const store = await open(script);
  assert.deepEqual(await store.list!(), ["a::x", "b::x"]);
  assert.ok(script.calls.includes(`${SERVICE} find`));
  // Callers then say plainly that listing is not supported (accounts keychain --prune).
  const bare = await open(Object.assign(bindingScript(), { noFind: true }));
  assert.equal(bare.list, undefined);
});

Deno.test("openKeychain: the default loads @napi-rs/keyring itself (or says it could not)", async () => {
  // Only the import is checked: the native store itself is the e2e test's business.
  // Without --allow-ffi (the suite's default) the native module cannot load.
  if (Deno.permissions.querySync({ name: "ffi" }).state === "granted") {
    const store = await openKeychain(undefined, undefined, BUS);
    assert.equal(typeof store.list, "function");
  } else {
    const error = await rejectsWith(openKeychain(undefined, undefined, BUS), "unavailable");
    assert.match(error.message, /the keychain module could not be loaded/);
  }
});

Deno.test("openKeychain: no session bus to reach a Secret Service is 'unavailable' before the library is loaded (it would fall back to the kernel keyring, which forgets at logout)", async () => {
  let loaded = false;
  const load = () => {
    loaded = true;
    return Promise.resolve(fakeBinding(bindingScript()));
  };
  const error = await rejectsWith(
    openKeychain(
      SERVICE,
      load,
      () => "no D-Bus session bus at /nonexistent/bus, so no Secret Service",
    ),
    "unavailable",
  );
  assert.match(error.message, /no D-Bus session bus at \/nonexistent\/bus/);
  assert.equal(loaded, false);
});

Deno.test("openKeychain: a delete the keychain refuses (not 'no such item') is that failure, not 'no item', even when the probe's write goes through", async () => {
  const script = bindingScript({ acme: "tokens" });
  const binding = fakeBinding(script);
  const store = await openKeychain(SERVICE, () =>
    Promise.resolve({
      ...binding,
      AsyncEntry: class extends binding.AsyncEntry {
        constructor(service: string, readonly account: string) {
          super(service, account);
        }
        override deleteCredential() {
          return this.account === "acme"
            ? Promise.reject(NATIVE.denied())
            : super.deleteCredential();
        }
      },
    }), BUS);
  await rejectsWith(store.delete("acme"), "denied");
  assert.equal(script.items.get("acme"), "tokens");
  // A delete that says "no such item" is still just that.
  assert.equal(await store.delete("gone"), false);
});

/** A unix socket listening at a temp path, made by a child (listening needs a permission the tests lack). */
async function listeningSocket(): Promise<{ path: string; close(): Promise<void> }> {
  const path = `${await tempDir("ably-bus-")}/bus`;
  const listener = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `Deno.listen({ transport: "unix", path: ${
        JSON.stringify(path)
      } }); setInterval(() => {}, 1e9);`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await until("the socket to be made", () => {
    try {
      return Deno.statSync(path).isSocket === true;
    } catch {
      return false;
    }
  });
  return {
    path,
    async close() {
      listener.kill("SIGKILL");
      await listener.status;
    },
  };
}

const BUS_CHECK = fromFileUrl(new URL("../helpers/bus_check.ts", import.meta.url));

/** openKeychain with its own session-bus check, in a process whose only variable is `address`. */
async function openWithBus(address: string | undefined): Promise<Record<string, string>> {
  const output = await withDeadline(
    30_000,
    `openKeychain with DBUS_SESSION_BUS_ADDRESS=${address}`,
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-env=DBUS_SESSION_BUS_ADDRESS", "--allow-read", BUS_CHECK],
      env: address === undefined ? {} : { DBUS_SESSION_BUS_ADDRESS: address },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output(),
  );
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

Deno.test({
  name:
    "openKeychain (Linux): no session bus address, or one naming a path that is gone or is not a socket, is 'unavailable' before the library loads; an address whose socket exists (or an abstract one) is tried",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const stale = "/nonexistent/ably-test-bus";
    assert.deepEqual(await openWithBus(`unix:path=${stale}`), {
      kind: "unavailable",
      problem: `no D-Bus session bus at ${stale}, so no Secret Service`,
    });
    assert.deepEqual(await openWithBus(`unix:guid=0123,path=${stale}`), {
      kind: "unavailable",
      problem: `no D-Bus session bus at ${stale}, so no Secret Service`,
    });
    for (const address of [undefined, ""]) {
      assert.deepEqual(await openWithBus(address), {
        kind: "unavailable",
        problem: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service",
      });
    }
    // Something there that is not a socket is no bus either: with a directory there the
    // binding fell back to the kernel keyring, where a missing item read as "none".
    for (const notASocket of [await tempFile(), await tempDir("ably-bus-")]) {
      assert.deepEqual(await openWithBus(`unix:path=${notASocket}`), {
        kind: "unavailable",
        problem: `no D-Bus session bus at ${notASocket}, so no Secret Service`,
      });
    }
    const socket = await listeningSocket();
    try {
      assert.deepEqual(await openWithBus(`unix:path=${socket.path}`), { opened: true });
      assert.deepEqual(await openWithBus(`unix:path=${socket.path},guid=0123`), { opened: true });
    } finally {
      await socket.close();
    }
    assert.deepEqual(await openWithBus("unix:abstract=/tmp/dbus-ably-test"), { opened: true });
  },
});
