/**
 * What a config may show (src/config/mask.ts): tokens and API key secrets masked in a copy,
 * and the secrets listed for the reporter to keep out of every line.
 */
import assert from "node:assert/strict";
import { maskSecrets, secretsOf } from "../../src/config/mask.ts";
import type { AblyConfig } from "../../src/config/schema.ts";

const CONFIG: AblyConfig = {
  accounts: {
    a: {
      accessToken: "legacy_a_SeCrEt",
      apps: { app1: { apiKey: "app1.kId:keySecret_1", appName: "One" } },
    },
  },
  oauthSessions: { "s::h": { accessToken: "at_SeCrEt", refreshToken: "rt_SeCrEt" } },
};

Deno.test("secretsOf: tokens, and an API key's secret part (its id is no secret and may be shown)", () => {
  assert.deepEqual(secretsOf(CONFIG), ["legacy_a_SeCrEt", "keySecret_1", "at_SeCrEt", "rt_SeCrEt"]);
});

Deno.test("maskSecrets: a copy with tokens and key secrets masked, key ids kept; the config untouched", () => {
  const masked = maskSecrets(CONFIG);
  assert.equal(masked.accounts!.a.accessToken, "[masked]");
  assert.equal(masked.accounts!.a.apps!.app1.apiKey, "app1.kId:[masked]");
  assert.deepEqual(masked.oauthSessions!["s::h"], {
    accessToken: "[masked]",
    refreshToken: "[masked]",
  });
  assert.equal(CONFIG.accounts!.a.accessToken, "legacy_a_SeCrEt");
});
