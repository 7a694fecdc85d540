/** The OAuth sessions of a parsed config (src/config/sessions.ts): pure functions on data. */
import assert from "node:assert/strict";
import type { AblyConfig } from "../../src/config/schema.ts";
import {
  aliasesUsing,
  dropSessionIfUnused,
  issuerHost,
  sessionKeyFor,
} from "../../src/config/sessions.ts";

Deno.test("sessions: the issuer tokens go to is the account's oauthHost, else the key's issuer, else the fallback, else ably.com", () => {
  const cases: [
    oauthHost: string | undefined,
    key: string,
    fallback: string | undefined,
    host: string,
  ][] = [
    ["oauth.example", "jane@x.example::issuer.example", "fallback.example", "oauth.example"],
    [undefined, "jane@x.example::issuer.example", "fallback.example", "issuer.example"],
    [undefined, "a::b::issuer.example", undefined, "issuer.example"],
    [undefined, "no-separator", "fallback.example", "fallback.example"],
    [undefined, "jane@x.example::", "fallback.example", "fallback.example"],
    ["", "no-separator", undefined, "ably.com"],
  ];
  for (const [oauthHost, key, fallback, host] of cases) {
    assert.equal(issuerHost(oauthHost, key, fallback), host, `${oauthHost} ${key} ${fallback}`);
  }
});

Deno.test("sessions: a session key is the email (else the alias) and the host, lower-cased", () => {
  assert.equal(sessionKeyFor("acme", "Jane@X.Example", "Ably.COM"), "jane@x.example::ably.com");
  assert.equal(sessionKeyFor("Acme", "", "ably.com"), "acme::ably.com");
});

Deno.test("sessions: a config without accounts has no alias using any session", () => {
  assert.deepEqual(aliasesUsing({}, "k"), []);
  assert.deepEqual(aliasesUsing({ oauthSessions: { k: {} } }, "k"), []);
});

Deno.test("sessions: dropSessionIfUnused deletes and returns a session only the excepted alias uses; one another alias uses, or none, is left", () => {
  const config = (): AblyConfig => ({
    accounts: {
      a: { oauthSessionKey: "shared" },
      b: { oauthSessionKey: "shared" },
      c: { oauthSessionKey: "own" },
    },
    oauthSessions: { shared: { accessToken: "s" }, own: { accessToken: "o" } },
  });
  const shared = config();
  assert.equal(dropSessionIfUnused(shared, "shared", "a"), undefined);
  assert.deepEqual(Object.keys(shared.oauthSessions!), ["shared", "own"]);

  const missing = config();
  assert.equal(dropSessionIfUnused(missing, "gone", "a"), undefined);
  assert.deepEqual(missing, config());

  const own = config();
  assert.deepEqual(dropSessionIfUnused(own, "own", "c"), { accessToken: "o" });
  assert.deepEqual(Object.keys(own.oauthSessions!), ["shared"]);

  // The last session goes with its table, as the official CLI leaves it.
  const last: AblyConfig = {
    accounts: { c: { oauthSessionKey: "own" } },
    oauthSessions: { own: {} },
  };
  assert.deepEqual(dropSessionIfUnused(last, "own", "c"), {});
  assert.equal(last.oauthSessions, undefined);
});
