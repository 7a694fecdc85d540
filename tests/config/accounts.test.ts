import assert from "node:assert/strict";
import {
  accountSummaries,
  credentialsOf,
  currentAlias,
  currentAppIdOf,
  removeAccount,
  resolveAccount,
  setCurrentAccount,
  storeAppSelection,
  storeOAuthLogin,
  storeTokenLogin,
} from "../../src/config/accounts.ts";
import { storeSessionTokens } from "../../src/config/sessions.ts";
import type { AblyConfig } from "../../src/config/schema.ts";
import { parseConfig, serializeConfig } from "../../src/config/toml.ts";
import { buildConfig, SAMPLE_LEGACY, SAMPLE_OAUTH, SAMPLE_SHARED } from "../helpers/fixtures.ts";

const parse = (text: string) => parseConfig(text, "config");

Deno.test("accounts: resolve by exact alias, then by exact account ID", () => {
  const config = parse(SAMPLE_SHARED);
  assert.deepEqual(resolveAccount(config, "acme-staging"), {
    kind: "found",
    alias: "acme-staging",
  });
  assert.deepEqual(resolveAccount(config, "Xy12Ab"), { kind: "found", alias: "acme-staging" });
  assert.deepEqual(resolveAccount(config, "ACME-LTD"), { kind: "not-found" });
  assert.deepEqual(resolveAccount(config, "acme"), { kind: "not-found" });
});

Deno.test("accounts: an empty string is not the current account", () => {
  assert.deepEqual(resolveAccount(parse(SAMPLE_OAUTH), ""), { kind: "empty" });
});

Deno.test("accounts: an ID shared by several aliases is ambiguous; an alias shadows an ID", () => {
  const config = parse(buildConfig([
    { alias: "one", id: "SAME" },
    { alias: "two", id: "SAME" },
    { alias: "SAME", id: "other" },
  ]));
  assert.deepEqual(resolveAccount(config, "SAME"), { kind: "found", alias: "SAME" });
  delete config.accounts!.SAME;
  assert.deepEqual(resolveAccount(config, "SAME"), {
    kind: "ambiguous-id",
    aliases: ["one", "two"],
  });
});

Deno.test("accounts: summaries omit missing id and name", () => {
  const config = parse('[accounts.bare]\n[accounts.full]\naccountId = "i"\naccountName = "N"\n');
  assert.deepEqual(accountSummaries(config), [
    { alias: "bare" },
    { alias: "full", id: "i", name: "N" },
  ]);
});

Deno.test("accounts: credentials tell OAuth, shared, legacy and missing sessions apart", () => {
  const shared = parse(SAMPLE_SHARED);
  const credentials = credentialsOf(shared, "acme-staging");
  assert.equal(credentials.kind, "oauth");
  assert.deepEqual(credentials.kind === "oauth" && credentials.sharedWith, ["acme-ltd"]);
  assert.deepEqual(credentialsOf(parse(SAMPLE_LEGACY), "default"), {
    kind: "legacy",
    hasToken: true,
  });
  const orphan = parse(SAMPLE_OAUTH);
  delete orphan.oauthSessions;
  assert.deepEqual(credentialsOf(orphan, "acme-ltd"), { kind: "no-session" });
});

Deno.test("accounts: logging out of both shared aliases leaves exactly [accounts] and [current]", () => {
  const config = parse(SAMPLE_SHARED);
  assert.deepEqual(removeAccount(config, "acme-staging"), ["acme-ltd"]);
  assert.ok(config.oauthSessions?.["jane@acme.example::ably.com"], "still used by acme-ltd");
  assert.equal(
    serializeConfig(config),
    SAMPLE_SHARED.replace(/\[accounts\.acme-staging\][^]*?\[accounts\.acme-staging\.apps\]\n/, "")
      .replace('[current]\naccount = "acme-staging"\n', "[current]\n"),
  );
  assert.deepEqual(removeAccount(config, "acme-ltd"), []);
  assert.equal(config.oauthSessions, undefined);
  assert.equal(serializeConfig(config), "[accounts]\n[current]\n");
});

Deno.test("accounts: removing the current account clears the selection and its legacy app", () => {
  const config = parse(SAMPLE_LEGACY);
  removeAccount(config, "default");
  assert.deepEqual({ ...config.current }, {});
});

Deno.test("accounts: removing another account keeps the current one", () => {
  const config = parse(buildConfig([{ alias: "a" }, { alias: "b" }], "a"));
  assert.deepEqual(removeAccount(config, "b"), ["a"]);
  assert.equal(config.current?.account, "a");
});

const tokens = {
  accessToken: "ably_oat_3f9c0d2e7b1a4c58",
  refreshToken: "ably_ort_91b2c7d4e5f60718",
  expiresAt: 1767225600000,
  scope: "full_access",
};
const acme = { accountId: "VgQpOZ", accountName: "Acme Ltd", userEmail: "jane@acme.example" };

Deno.test("login records: a first OAuth login writes the official CLI's bytes (app name kept)", () => {
  const config: AblyConfig = { accounts: {} };
  storeOAuthLogin(config, "acme-ltd", tokens, acme);
  setCurrentAccount(config, "acme-ltd");
  storeAppSelection(config, "acme-ltd", { id: "aBcDeF", name: "My App" }, {
    id: "kEy123",
    name: "Root",
    key: "aBcDeF.kEy123:s3cr3tS3cr3t",
  });
  assert.equal(
    serializeConfig(config),
    SAMPLE_OAUTH.replace('keyId = "kEy123"', 'appName = "My App"\nkeyId = "kEy123"'),
  );
});

Deno.test("login records: a refresh updates the shared session for every alias, in place", () => {
  const config = parseConfig(SAMPLE_SHARED, "c");
  storeSessionTokens(config, "jane@acme.example::ably.com", {
    accessToken: "new-a",
    refreshToken: "new-r",
    expiresAt: 1,
  });
  assert.equal(
    serializeConfig(config),
    SAMPLE_SHARED.replace("ably_oat_3f9c0d2e7b1a4c58", "new-a")
      .replace("ably_ort_91b2c7d4e5f60718", "new-r")
      .replace("1767225600000", "1"),
  );
});

Deno.test("login records: OAuth login over a legacy alias upgrades it in place, apps kept", () => {
  const config = parseConfig(SAMPLE_LEGACY, "c");
  storeOAuthLogin(config, "default", tokens, acme);
  const account = config.accounts!.default;
  assert.equal(account.accessToken, undefined);
  assert.equal(account.tokenId, undefined);
  assert.equal(account.authMethod, "oauth");
  assert.deepEqual(Object.keys(account.apps!), ["aBcDeF"]);
  assert.equal(
    config.oauthSessions!["jane@acme.example::ably.com"].refreshToken,
    tokens.refreshToken,
  );
});

Deno.test("login records: an alias reused for another account drops the old account's apps", () => {
  const config = parseConfig(SAMPLE_OAUTH, "c");
  storeOAuthLogin(config, "acme-ltd", tokens, { ...acme, accountId: "OTHER" });
  const account = config.accounts!["acme-ltd"];
  assert.deepEqual(Object.keys(account.apps!), []);
  assert.equal(account.currentAppId, undefined);
  assert.equal(account.accountId, "OTHER");
});

Deno.test("login records: a token login stores a legacy account like the 0.x CLI", () => {
  const config: AblyConfig = { accounts: {} };
  storeTokenLogin(config, "ci", "tok", acme);
  setCurrentAccount(config, "ci");
  assert.equal(
    serializeConfig(config),
    '[accounts.ci]\naccessToken = "tok"\naccountId = "VgQpOZ"\naccountName = "Acme Ltd"\n' +
      'userEmail = "jane@acme.example"\ntokenId = "unknown"\n\n[accounts.ci.apps]\n' +
      '[current]\naccount = "ci"\n',
  );
});

Deno.test("login records: a login without --oauth-host forgets an earlier login's host", () => {
  const config = parseConfig(
    '[accounts.a]\naccountId = "VgQpOZ"\nauthMethod = "oauth"\ncontrolHost = "staging-control.example"\noauthHost = "staging.example"\noauthSessionKey = "jane@acme.example::staging.example"\nuserEmail = "jane@acme.example"\n\n[oauthSessions."jane@acme.example::staging.example"]\naccessToken = "old-a"\nrefreshToken = "old-r"\n',
    "c",
  );
  storeOAuthLogin(config, "a", tokens, acme);
  const account = config.accounts!.a;
  assert.equal(account.oauthSessionKey, "jane@acme.example::ably.com");
  assert.equal(account.oauthHost, undefined);
  assert.equal(account.controlHost, undefined);
  // The staging session left the file (the store revokes it at staging: tests/config/store.test.ts).
  assert.equal(config.oauthSessions?.["jane@acme.example::staging.example"], undefined);
});

Deno.test("login records: switching away moves a 0.x current.app onto the account it belonged to", () => {
  const config = parseConfig(
    '[current]\naccount = "a"\napp = "APP_OF_A"\n\n[accounts.a]\naccountId = "1"\n\n[accounts.b]\naccountId = "2"\n',
    "c",
  );
  setCurrentAccount(config, "b");
  assert.equal(config.accounts!.a.currentAppId, "APP_OF_A");
  assert.equal(config.accounts!.b.currentAppId, undefined);
  assert.deepEqual({ ...config.current }, { account: "b" });
});

Deno.test("currentAlias: an empty [current] account is no current account (as a missing one)", () => {
  const cases: [config: AblyConfig, alias: string | undefined][] = [
    [{ current: { account: "a" } }, "a"],
    [{ current: { account: "" } }, undefined],
    [{ current: {} }, undefined],
    [{}, undefined],
  ];
  for (const [config, alias] of cases) {
    assert.equal(currentAlias(config), alias, JSON.stringify(config));
  }
});

Deno.test("currentAppIdOf: the account's own current app; else [current]'s app, for the current account only", () => {
  const config: AblyConfig = {
    accounts: { a: { accountId: "A" }, b: { accountId: "B", currentAppId: "appB" } },
    current: { account: "a", app: "appA" },
  };
  assert.equal(currentAppIdOf(config, "a"), "appA");
  assert.equal(currentAppIdOf(config, "b"), "appB");
  delete config.accounts!.b.currentAppId;
  assert.equal(currentAppIdOf(config, "b"), undefined, "another account's app is not b's");
  assert.equal(currentAppIdOf({ ...config, current: { account: "a", app: "" } }, "a"), undefined);
});

Deno.test("resolveAccount: a name every object has (toString, constructor, __proto__) is no account, parsed or built", () => {
  const built: AblyConfig = { accounts: { a: { accountId: "A" } } };
  for (const config of [built, parseConfig(SAMPLE_LEGACY, "config")]) {
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      assert.deepEqual(resolveAccount(config, name), { kind: "not-found" }, name);
    }
  }
});

Deno.test("setCurrentAccount: a 0.x [current] app stays where it is when the same account is made current; it moves to the account it belonged to on a switch", () => {
  const config = (): AblyConfig => ({
    accounts: { a: { accountId: "A" }, b: { accountId: "B" } },
    current: { account: "a", app: "appA" },
  });
  const same = config();
  setCurrentAccount(same, "a");
  assert.deepEqual(same.current, { account: "a", app: "appA" });
  assert.equal(same.accounts!.a.currentAppId, undefined);
  const switched = config();
  setCurrentAccount(switched, "b");
  assert.deepEqual(switched.current, { account: "b" });
  assert.equal(switched.accounts!.a.currentAppId, "appA");
  // An account that already records its own current app keeps it.
  const own = config();
  own.accounts!.a.currentAppId = "appOwn";
  setCurrentAccount(own, "b");
  assert.deepEqual(own.current, { account: "b" });
  assert.equal(own.accounts!.a.currentAppId, "appOwn");
});
