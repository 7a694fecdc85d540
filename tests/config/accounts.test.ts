import assert from "node:assert/strict";
import {
  accountSummaries,
  credentialsOf,
  removeAccount,
  resolveAccount,
} from "../../src/config/accounts.ts";
import { parseConfig, serializeConfig } from "../../src/config/store.ts";
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
