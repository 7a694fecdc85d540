/**
 * Which secrets a config keeps in a store, and under which item names: one item per
 * session, legacy account and app key, each in the config's own namespace; names from
 * before namespaces read back; the file's copy without a single secret.
 */
import assert from "node:assert/strict";
import {
  completeMarks,
  describeItem,
  ensureNamespace,
  itemsOfAccount,
  namespaceOf,
  secretSlots,
  setStoreMark,
  storeOf,
  withoutStoredSecrets,
} from "../../src/config/credential-marks.ts";
import type { AblyConfig } from "../../src/config/schema.ts";
import { parseConfig } from "../../src/config/toml.ts";
import { SAMPLE_LEGACY, SAMPLE_SHARED } from "../helpers/fixtures.ts";

const NS = "0123456789ab";
const SESSION = "jane@acme.example::ably.com";

function shared(): AblyConfig {
  return parseConfig(SAMPLE_SHARED, "config");
}

Deno.test("credential marks: marking an account marks its session and itself, and gives the config a namespace first in the file", () => {
  const config = shared();
  assert.equal(setStoreMark(config, "acme-ltd", "keychain"), true);
  const namespace = config.credentialNamespace as string;
  assert.match(namespace, /^[0-9a-f]{12}$/);
  assert.equal(Object.keys(config)[0], "credentialNamespace");
  assert.equal(config.oauthSessions![SESSION].credentialStore, "keychain");
  assert.equal(config.accounts!["acme-ltd"].credentialStore, "keychain");
  // The other alias on the shared session is not marked itself: its apps' keys stay put.
  assert.equal(config.accounts!["acme-staging"].credentialStore, undefined);
  assert.deepEqual([...secretSlots(config).keys()].sort(), [
    `cfg-${namespace}:key:acme-ltd:aBcDeF`,
    `cfg-${namespace}:session:${SESSION}`,
  ]);
  assert.equal(setStoreMark(config, "nobody", "keychain"), false);
});

Deno.test("credential marks: two configs get different namespaces; an existing one is kept", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) seen.add(ensureNamespace({}));
  assert.equal(seen.size, 50);
  const config: AblyConfig = { credentialNamespace: NS };
  assert.equal(ensureNamespace(config), NS);
  // Not ours (wrong shape): replaced rather than used in item names.
  assert.notEqual(ensureNamespace({ credentialNamespace: "../../x" }), "../../x");
});

Deno.test("credential marks: item names per kind, with and without a namespace (the old names read back)", () => {
  const cases: { namespace?: string; expected: Record<string, string | undefined> }[] = [
    {
      namespace: NS,
      expected: {
        [`cfg-${NS}:session:${SESSION}`]: SESSION,
        [`cfg-${NS}:token:default`]: "account:default",
        [`cfg-${NS}:key:default:aBcDeF`]: undefined,
      },
    },
    {
      expected: {
        [SESSION]: undefined,
        "account:default": undefined,
        "key:default:aBcDeF": undefined,
      },
    },
  ];
  for (const { namespace, expected } of cases) {
    const config = parseConfig(SAMPLE_LEGACY, "config");
    config.accounts!.default.credentialStore = "keychain";
    config.oauthSessions = {
      [SESSION]: { accessToken: "a", refreshToken: "r", credentialStore: "keychain" },
    };
    config.accounts!.oauth = { authMethod: "oauth", oauthSessionKey: SESSION };
    if (namespace) config.credentialNamespace = namespace;
    const slots = secretSlots(config);
    assert.deepEqual(
      Object.fromEntries([...slots].map(([item, slot]) => [item, slot.legacy])),
      expected,
      `namespace ${namespace}`,
    );
  }
});

Deno.test("credential marks: an item's name read back says whose it is and what it holds", () => {
  const cases: [string, ReturnType<typeof describeItem>][] = [
    [`cfg-${NS}:session:${SESSION}`, { namespace: NS, kind: "session", issuer: "ably.com" }],
    [`cfg-${NS}:token:default`, { namespace: NS, kind: "account" }],
    [`cfg-${NS}:key:default:aBcDeF`, { namespace: NS, kind: "key" }],
    [`cfg-${NS}:something-else`, { namespace: NS, kind: "unknown" }],
    [SESSION, { kind: "session", issuer: "ably.com" }],
    ["x@example.com::", { kind: "session", issuer: undefined }],
    ["account:default", { kind: "account" }],
    ["ably-cli-deno-probe", { kind: "unknown" }],
    // Not a namespace (not 12 hex digits): read as a name from before namespaces.
    ["cfg-XYZ:token:a", { kind: "unknown" }],
  ];
  for (const [item, expected] of cases) assert.deepEqual(describeItem(item), expected, item);
});

Deno.test("credential marks: the file's copy has no token and no API key of a marked account; the others' and every other field are kept", () => {
  const config = shared();
  setStoreMark(config, "acme-ltd", "keychain");
  config.accounts!["acme-staging"].apps = { Zz9: { apiKey: "Zz9.k:staging_SeCrEt", keyId: "k" } };
  const file = withoutStoredSecrets(config, secretSlots(config));
  assert.deepEqual({ ...file.accounts!["acme-ltd"].apps!.aBcDeF }, {
    keyId: "kEy123",
    keyName: "Root",
  });
  assert.deepEqual({ ...file.oauthSessions![SESSION] }, {
    accessTokenExpiresAt: 1767225600000,
    credentialStore: "keychain",
  });
  assert.equal(file.accounts!["acme-staging"].apps!.Zz9.apiKey, "Zz9.k:staging_SeCrEt");
  // The config in memory still has everything (the items are written from it).
  assert.equal(config.accounts!["acme-ltd"].apps!.aBcDeF.apiKey, "aBcDeF.kEy123:s3cr3tS3cr3t");
  assert.deepEqual(itemsOfAccount(config, "acme-staging"), [
    `cfg-${config.credentialNamespace}:session:${SESSION}`,
  ]);
});

Deno.test("credential marks: completing marks an account whose tokens are stored (a login from before keys followed), and drops the namespace when nothing is stored", () => {
  const config = shared();
  config.oauthSessions![SESSION].credentialStore = "keychain";
  assert.equal(completeMarks(config), true);
  assert.equal(config.accounts!["acme-ltd"].credentialStore, "keychain");
  assert.equal(config.accounts!["acme-staging"].credentialStore, "keychain");
  assert.match(config.credentialNamespace as string, /^[0-9a-f]{12}$/);
  assert.equal(completeMarks(config), false, "nothing more to do");

  for (const alias of ["acme-ltd", "acme-staging"]) setStoreMark(config, alias, "file");
  assert.equal(completeMarks(config), true);
  assert.equal(config.credentialNamespace, undefined);
});

Deno.test('credential marks: the marker names a store; "file", empty or absent means the file; a namespace is exactly 12 hex digits', () => {
  const stores: [marker: unknown, store: string | undefined][] = [
    ["keychain", "keychain"],
    ["memory", "memory"],
    ["file", undefined],
    ["", undefined],
    [undefined, undefined],
    [7, undefined],
  ];
  for (const [marker, store] of stores) {
    assert.equal(storeOf({ credentialStore: marker }), store, String(marker));
  }
  const namespaces: [value: unknown, namespace: string | undefined][] = [
    ["0123456789ab", "0123456789ab"],
    ["0123abcd", undefined],
    ["0123456789abc", undefined],
    ["0123456789AB", undefined],
    [123456789012, undefined],
  ];
  for (const [value, namespace] of namespaces) {
    assert.equal(
      namespaceOf({ credentialNamespace: value } as AblyConfig),
      namespace,
      String(value),
    );
  }
});
