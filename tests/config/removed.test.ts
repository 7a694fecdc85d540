/**
 * Which tokens an update removes (src/config/removed.ts): what was in the config before the
 * plan and is in it no more, worked out per session, for the irreversible step to revoke.
 */
import assert from "node:assert/strict";
import { removedTokens, sessionTokens } from "../../src/config/removed.ts";
import type { AblyConfig } from "../../src/config/schema.ts";

const KEY = "j@x.example::127.0.0.1:9";

function config(session?: { accessToken?: string; refreshToken?: string }): AblyConfig {
  return {
    accounts: { acme: { authMethod: "oauth", oauthSessionKey: KEY } },
    ...(session ? { oauthSessions: { [KEY]: session } } : {}),
  };
}

Deno.test("removedTokens: a deleted session's tokens, a replaced token alone, none for an untouched session or a retired token", async () => {
  const before = sessionTokens(config({ accessToken: "at_1", refreshToken: "rt_1" }), undefined);
  const cases: [
    name: string,
    after: AblyConfig,
    retired: string[],
    removed: { accessToken?: string; refreshToken?: string }[],
  ][] = [
    ["untouched", config({ accessToken: "at_1", refreshToken: "rt_1" }), [], []],
    ["deleted", config(), [], [{ accessToken: "at_1", refreshToken: "rt_1" }]],
    ["refresh token replaced", config({ accessToken: "at_1", refreshToken: "rt_2" }), [], [{
      refreshToken: "rt_1",
    }]],
    ["access token replaced", config({ accessToken: "at_2", refreshToken: "rt_1" }), [], [{
      accessToken: "at_1",
    }]],
    ["rotated by the issuer (retired)", config({ accessToken: "at_2", refreshToken: "rt_2" }), [
      "at_1",
      "rt_1",
    ], []],
  ];
  for (const [name, after, retired, removed] of cases) {
    const found = await removedTokens(before, after, new Set(retired), undefined, {});
    assert.deepEqual(
      found.map(({ accessToken, refreshToken }) => ({
        ...(accessToken ? { accessToken } : {}),
        ...(refreshToken ? { refreshToken } : {}),
      })),
      removed,
      name,
    );
    for (const session of found) {
      assert.deepEqual([session.sessionKey, session.host, session.aliases], [
        KEY,
        "127.0.0.1:9",
        ["acme"],
      ]);
    }
  }
});
