/**
 * The secret stores' half of a config update (src/credentials/sync.ts), driven directly on
 * the OS keychain's store over fake items: undoing writes when the file could not be replaced, deleting items the file no
 * longer names, direct item access, and what each failure says.
 */
import assert from "node:assert/strict";
import type { AblyConfig } from "../../src/config/schema.ts";
import { secretsSync } from "../../src/credentials/sync.ts";
import { osKeychain } from "../../src/credentials/os-keychain.ts";
import { StoreError } from "../../src/credentials/store.ts";
import { FakeKeychain } from "../helpers/fake-keychain.ts";

const MARK = { credentialStore: "keychain" };

function syncOn(keychain: FakeKeychain | undefined, os: string = Deno.build.os) {
  const warnings: string[] = [];
  const protectedSecrets: string[] = [];
  const open = keychain
    ? () => Promise.resolve(keychain)
    : () => Promise.reject(new StoreError("unavailable", "no OS keychain on this platform"));
  const sync = secretsSync({
    stores: { keychain: () => Promise.resolve(osKeychain(open, os)) },
    warn: (message) => warnings.push(message),
    protect: (secrets) => protectedSecrets.push(...secrets),
  });
  return { sync, warnings, protectedSecrets };
}

/** Two legacy accounts whose (new) tokens go to the keychain. */
const NS = "0123456789ab";

function twoLegacy(): AblyConfig {
  return {
    credentialNamespace: NS,
    accounts: {
      a: { accountId: "A", ...MARK, accessToken: "new_a_SeCrEt" },
      b: { accountId: "B", ...MARK, accessToken: "new_b_SeCrEt" },
    },
  };
}

Deno.test("keychain sync: undoing a staged write puts an item's earlier secret back and deletes an item that did not exist", async () => {
  const keychain = new FakeKeychain({
    [`cfg-${NS}:token:a`]: JSON.stringify({ accessToken: "old_a" }),
  });
  const { sync, warnings } = syncOn(keychain);
  const staged = await sync.stage(twoLegacy(), new Map());
  assert.deepEqual({ ...staged.written.accounts!.a }, { accountId: "A", ...MARK });
  await staged.write();
  assert.deepEqual(keychain.tokens("account:a"), { accessToken: "new_a_SeCrEt" });
  assert.deepEqual(keychain.tokens("account:b"), { accessToken: "new_b_SeCrEt" });

  await staged.undo();
  assert.deepEqual(keychain.tokens("account:a"), { accessToken: "old_a" });
  assert.deepEqual([...keychain.items.keys()], [`cfg-${NS}:token:a`], "b's item is gone");
  assert.deepEqual(warnings, []);
});

Deno.test("keychain sync: an item that cannot be put back is a warning naming the item and the account, per item; undo never throws", async () => {
  const keychain = new FakeKeychain({
    [`cfg-${NS}:token:a`]: JSON.stringify({ accessToken: "old_a" }),
  });
  const { sync, warnings } = syncOn(keychain);
  const staged = await sync.stage(twoLegacy(), new Map());
  await staged.write();
  keychain.state = "locked";
  await staged.undo();
  // Newest first, as undone.
  assert.deepEqual(
    warnings,
    ["b", "a"].map((alias) =>
      `The OS keychain item cfg-${NS}:token:${alias} (service ably-cli-deno) could not be put back as it was (Couldn't access platform storage: Secret Service: unlock prompt was dismissed); log in again if account "${alias}" stops working.`
    ),
  );
  // Still as the write left them: nothing was changed by the failed undo.
  assert.deepEqual(keychain.tokens("account:a"), { accessToken: "new_a_SeCrEt" });
});

Deno.test("keychain sync: clean-up deletes items the new file no longer names; one that cannot be deleted, or a keychain that cannot be opened, is a warning per item", async () => {
  const keychain = new FakeKeychain({
    "account:gone": JSON.stringify({ accessToken: "gone_SeCrEt" }),
    "x@example.com::ably.com": JSON.stringify({ accessToken: "x_SeCrEt" }),
  });
  const before = new Map(
    ["account:gone", "x@example.com::ably.com"].map((item) => [item, "keychain"]),
  );
  const { sync, warnings } = syncOn(keychain);
  const staged = await sync.stage({ accounts: {} }, before);
  await staged.write(); // nothing to write: the keychain is not even opened for it
  assert.deepEqual(keychain.calls, []);
  await staged.cleanUp();
  assert.deepEqual(keychain.items.size, 0);
  assert.deepEqual(warnings, []);

  keychain.items.set("account:gone", "{}");
  keychain.state = "denied";
  const denied = syncOn(keychain);
  await (await denied.sync.stage({}, new Map(["account:gone"].map((item) => [item, "keychain"]))))
    .cleanUp();
  assert.equal(denied.warnings.length, 1);
  assert.match(
    denied.warnings[0],
    /^The config no longer uses the OS keychain item account:gone \(service ably-cli-deno\), but it could not be deleted \(Platform failure: User canceled the operation\.\); delete it with your keychain tool\.$/,
  );

  const unopened = syncOn(undefined);
  await (await unopened.sync.stage({}, before)).cleanUp();
  assert.deepEqual(
    unopened.warnings.map((w) => w.match(/item (\S+) .*\((.*)\); delete it/)?.slice(1)),
    [
      ["account:gone", "no OS keychain on this platform"],
      ["x@example.com::ably.com", "no OS keychain on this platform"],
    ],
  );
});

Deno.test("keychain sync: no keychain on this platform -> reading an account's tokens fails naming the account and why", async () => {
  const { sync } = syncOn(undefined);
  const config: AblyConfig = { accounts: { a: { accountId: "A", ...MARK } } };
  await assert.rejects(
    () => sync.load(config, "all"),
    /^StoreError: Cannot read the tokens of account "a" from the OS keychain \(unavailable: no OS keychain on this platform\)\./,
  );
});

Deno.test("keychain sync: reading or deleting one item directly fails with the item, the service and the fix", async () => {
  const keychain = new FakeKeychain({ "account:a": "{}" });
  keychain.state = "locked";
  const { sync } = syncOn(keychain);
  await assert.rejects(
    () => sync.secret("keychain", "account:a"),
    /Cannot read the item account:a of the OS keychain \(service ably-cli-deno\): locked: Couldn't access platform storage: Secret Service: unlock prompt was dismissed\. Unlock/,
  );
  await assert.rejects(
    () => sync.remove("keychain", "account:a"),
    /Cannot delete the item account:a of the OS keychain \(service ably-cli-deno\): locked: /,
  );
  assert.ok(keychain.items.has("account:a"));
});

Deno.test("keychain sync: loadEach returns each unreadable item (a legacy one without a session key) instead of throwing, and fills the readable ones", async () => {
  const keychain = new FakeKeychain({
    "s@example.com::ably.com": JSON.stringify({ accessToken: "s_at_SeCrEt" }),
  });
  const { sync, protectedSecrets } = syncOn(keychain);
  const config: AblyConfig = {
    accounts: {
      legacy: { accountId: "L", ...MARK },
      oauth: { authMethod: "oauth", oauthSessionKey: "s@example.com::ably.com" },
    },
    oauthSessions: { "s@example.com::ably.com": { ...MARK } },
  };
  keychain.get = (item) => {
    keychain.calls.push(`get ${item}`);
    return item === "account:legacy"
      ? Promise.reject(new Error("Platform failure: User canceled the operation."))
      : Promise.resolve(keychain.items.get(item));
  };
  const unreadable = await sync.loadEach(config, "all");
  assert.equal(unreadable.length, 1);
  assert.deepEqual({ ...unreadable[0], reason: undefined }, {
    item: "account:legacy",
    store: "keychain",
    aliases: ["legacy"],
    reason: undefined,
  });
  assert.match(unreadable[0].reason, /Cannot read the tokens of account "legacy"[^]*\(denied: /);
  assert.equal(config.oauthSessions!["s@example.com::ably.com"].accessToken, "s_at_SeCrEt");
  assert.deepEqual(protectedSecrets, ["s_at_SeCrEt"]);
});

Deno.test("keychain sync: a session no account uses, its item deleted outside ably -> the warning names the session and a plain login", async () => {
  const { sync, warnings } = syncOn(new FakeKeychain());
  const config: AblyConfig = { oauthSessions: { "u@example.com::ably.com": { ...MARK } } };
  await sync.load(config, "all");
  assert.deepEqual(warnings, [
    'The OS keychain has no item for the OAuth session "u@example.com::ably.com" (service ably-cli-deno, account u@example.com::ably.com); it was deleted outside ably. Log in again: ably accounts login --keychain',
  ]);
});

Deno.test("keychain sync: a failure the keychain's text does not explain is said without a kind, with the general fix; the probe's names every account it holds", async () => {
  const keychain = new FakeKeychain({ "account:a": "{}" });
  const odd = () => Promise.reject(new Error("something odd\nCaused by: more"));
  keychain.get = odd;
  keychain.delete = odd;
  keychain.set = odd;
  const { sync } = syncOn(keychain);
  await assert.rejects(
    () => sync.load({ accounts: { a: { accountId: "A", ...MARK } } }, "all"),
    (error: Error) => {
      assert.equal(
        error.message,
        'Cannot read the tokens of account "a" from the OS keychain (something odd). Check your keychain and try again.',
      );
      return true;
    },
  );
  await assert.rejects(
    () => sync.remove("keychain", "account:a"),
    (error: Error) => {
      assert.equal(
        error.message,
        "Cannot delete the item account:a of the OS keychain (service ably-cli-deno): something odd. Check your keychain and try again.",
      );
      return true;
    },
  );
  await assert.rejects(
    () => sync.check("keychain", { accounts: ["a", "b"] }),
    (error: Error) => {
      assert.equal(
        error.message,
        'Cannot use the OS keychain (something odd), which holds the tokens of accounts "a", "b"; this login may have to read or replace them, so it stops before anything is authorized. Check your keychain and try again.',
      );
      return true;
    },
  );
});

/** An OAuth account in the keychain, its tokens `length` characters each, with `apps` apps. */
function sized(tokenLength: number, apps: number, email = "jane@acme.example"): AblyConfig {
  const session = `${email}::ably.com`;
  return {
    credentialNamespace: NS,
    accounts: {
      acme: {
        ...MARK,
        authMethod: "oauth",
        oauthSessionKey: session,
        apps: Object.fromEntries(
          Array.from({ length: apps }, (_, i) => [
            `app${i}`,
            { apiKey: `app${i}.kEyId1:${"k".repeat(43)}`, keyId: "kEyId1", keyName: "Root" },
          ]),
        ),
      },
    },
    oauthSessions: {
      [session]: {
        ...MARK,
        accessToken: "a".repeat(tokenLength),
        refreshToken: "r".repeat(tokenLength),
      },
    },
  };
}

Deno.test("keychain sync: the platforms' item limits, as a table: what real accounts store fits everywhere; what Windows cannot hold is refused before any item is written", async () => {
  // Windows Credential Manager: a 2,560-byte blob (1,280 UTF-16 units), a 512-character name.
  // The secret of a session item is {"accessToken":"…","refreshToken":"…"}: 36 + 2 × length.
  const long = "x".repeat(480);
  const cases: {
    name: string;
    os: string;
    config: AblyConfig;
    refused?: RegExp;
  }[] = [
    { name: "Ably's own token sizes, 3 apps", os: "windows", config: sized(120, 3) },
    {
      name: "an account with 500 apps: one item per app key",
      os: "windows",
      config: sized(120, 500),
    },
    {
      name: "tokens at the limit exactly (36 + 2 × 622 = 1,280)",
      os: "windows",
      config: sized(622, 1),
    },
    {
      name: "tokens one step over (36 + 2 × 623 = 1,282)",
      os: "windows",
      config: sized(623, 1),
      refused: /the secret \(1282 characters\) is longer than the 1280 an item there can hold/,
    },
    { name: "tokens of 8,192 characters on Linux", os: "linux", config: sized(8192, 1) },
    { name: "tokens of 8,192 characters on macOS", os: "darwin", config: sized(8192, 1) },
    {
      name: "tokens of 8,192 characters on Windows",
      os: "windows",
      config: sized(8192, 1),
      refused:
        /Cannot store the tokens of account "acme" in the OS keychain: the secret \(16420 characters\)/,
    },
    {
      name: "a session key of 500 characters on Windows",
      os: "windows",
      config: sized(120, 0, `${long}@x`),
      refused: /its name \(\d+ characters\) is longer than the 512/,
    },
    // The item's name is "cfg-<namespace>:session:" (25) + the key ("<email>::ably.com").
    {
      name: "an item name of exactly 512 characters on Windows",
      os: "windows",
      config: sized(120, 0, "e".repeat(512 - 35)),
    },
    {
      name: "an item name of 513 characters on Windows",
      os: "windows",
      config: sized(120, 0, "e".repeat(513 - 35)),
      refused: /its name \(513 characters\) is longer than the 512/,
    },
    {
      name: "a session key of 500 characters on Linux",
      os: "linux",
      config: sized(120, 0, `${long}@x`),
    },
  ];
  for (const { name, os, config, refused } of cases) {
    const keychain = new FakeKeychain();
    const { sync } = syncOn(keychain, os);
    const staged = await sync.stage(config, new Map());
    if (!refused) {
      await staged.write();
      const apps = Object.keys(config.accounts!.acme.apps!).length;
      assert.equal(keychain.items.size, 1 + apps, name);
      continue;
    }
    await assert.rejects(() => staged.write(), (error: unknown) => {
      assert.ok(error instanceof StoreError, name);
      assert.match(error.message, refused, name);
      assert.match(
        error.message,
        /the config was not changed\. Keep this account's secrets in the config file: log in without --keychain, or run ably accounts keychain --to-file\.$/,
        name,
      );
      return true;
    });
    assert.deepEqual(keychain.calls, [], `${name}: nothing written`);
  }
});

Deno.test("keychain sync: an item read under its old name is carried over by the next write, unchanged: the new name holds it before the old is deleted", async () => {
  const keychain = new FakeKeychain({
    "account:a": JSON.stringify({ accessToken: "kept_a_SeCrEt" }),
  });
  const { sync, warnings } = syncOn(keychain);
  const config: AblyConfig = {
    credentialNamespace: NS,
    accounts: { a: { accountId: "A", ...MARK } },
  };
  await sync.load(config, ["a"]);
  assert.equal(config.accounts!.a.accessToken, "kept_a_SeCrEt");
  // A write that changes nothing of "a" (another account's edit, say), with the store open.
  const staged = await sync.stage(config, sync.items(config));
  await staged.write();
  await staged.cleanUp();
  assert.deepEqual(keychain.tokens(`cfg-${NS}:token:a`), { accessToken: "kept_a_SeCrEt" });
  assert.equal(keychain.items.has("account:a"), false, "the old name is gone");
  assert.deepEqual(warnings, []);
});

Deno.test("keychain sync: a write rewrites no item whose secret it did not change (each write may ask the user)", async () => {
  const keychain = new FakeKeychain({
    [`cfg-${NS}:token:a`]: JSON.stringify({ accessToken: "same_a_SeCrEt" }),
    [`cfg-${NS}:token:b`]: JSON.stringify({ accessToken: "old_b_SeCrEt" }),
  });
  const { sync } = syncOn(keychain);
  const config: AblyConfig = {
    credentialNamespace: NS,
    accounts: { a: { accountId: "A", ...MARK }, b: { accountId: "B", ...MARK } },
  };
  await sync.load(config, "all");
  config.accounts!.b.accessToken = "new_b_SeCrEt";
  const staged = await sync.stage(config, sync.items(config));
  await staged.write();
  await staged.cleanUp();
  assert.deepEqual(keychain.calls.filter((call) => call.startsWith("set ")), [
    `set cfg-${NS}:token:b`,
  ]);
  assert.deepEqual(keychain.tokens(`cfg-${NS}:token:a`), { accessToken: "same_a_SeCrEt" });
});

Deno.test("keychain sync: removing an account whose item was found missing deletes no item by its name (known not to exist), only its old name", async () => {
  const keychain = new FakeKeychain({
    [`cfg-${NS}:token:b`]: JSON.stringify({ accessToken: "b_SeCrEt" }),
  });
  const { sync, warnings } = syncOn(keychain);
  const config: AblyConfig = {
    credentialNamespace: NS,
    accounts: { a: { accountId: "A", ...MARK }, b: { accountId: "B", ...MARK } },
  };
  await sync.load(config, "all");
  assert.equal(warnings.length, 1, "a's item is missing");
  const before = sync.items(config);
  delete config.accounts!.a;
  const staged = await sync.stage(config, before);
  await staged.write();
  await staged.cleanUp();
  // Its old name is still tried (an item by that name may be left over); the new one is not.
  assert.deepEqual(keychain.calls.filter((call) => call.startsWith("delete ")), [
    "delete account:a",
  ]);
  assert.deepEqual([...keychain.items.keys()], [`cfg-${NS}:token:b`]);
});

Deno.test("keychain sync: an unread item carried over never overwrites what its new name already holds (the newer secret); the old name is deleted", async () => {
  const keychain = new FakeKeychain({
    [`cfg-${NS}:token:a`]: JSON.stringify({ accessToken: "newer_a_SeCrEt" }),
    "account:a": JSON.stringify({ accessToken: "older_a_SeCrEt" }),
    [`cfg-${NS}:token:b`]: JSON.stringify({ accessToken: "old_b_SeCrEt" }),
  });
  const { sync } = syncOn(keychain);
  const config: AblyConfig = {
    credentialNamespace: NS,
    accounts: { a: { accountId: "A", ...MARK }, b: { accountId: "B", ...MARK } },
  };
  // Only b is read and changed; a is carried over unread.
  await sync.load(config, ["b"]);
  config.accounts!.b.accessToken = "new_b_SeCrEt";
  const staged = await sync.stage(config, sync.items(config));
  await staged.write();
  await staged.cleanUp();
  assert.deepEqual(keychain.tokens(`cfg-${NS}:token:a`), { accessToken: "newer_a_SeCrEt" });
  assert.equal(keychain.items.has("account:a"), false);
  assert.deepEqual(keychain.tokens(`cfg-${NS}:token:b`), { accessToken: "new_b_SeCrEt" });
});
