/**
 * An account's stored token as the accounts service finds it (`src/accounts/tokens.ts`),
 * in process through the commands that use it: `accounts token` prints it, `accounts
 * switch` sends it to the Control API. A session without an access token is a session
 * problem (nothing is sent); a token with no recorded expiry is used as it is.
 */
import assert from "node:assert/strict";
import { withAblyServer } from "../helpers/ably-server.ts";
import { readConfigText, resultOf, runCli, unwrapped, withConfigDir } from "../helpers/cli.ts";
import { accessTokenOf, buildConfig, refreshTokenOf } from "../helpers/fixtures.ts";
import { REFRESH_MARGIN_MS, tokenState } from "../../src/accounts/tokens.ts";

const EMAIL = "j@x.example";
const EXPIRY = 1767225600000;
/** An hour before the fixtures' expiry: a token with that expiry needs no refresh. */
const HOUR_BEFORE = () => EXPIRY - 3_600_000;

/** `acme` (OAuth, current) with its session at `host`, edited by `edit`. */
function acme(host: string, edit: (config: string) => string): string {
  const config = buildConfig([{ alias: "acme", id: "VgQpOZ", issuer: host, email: EMAIL }], "acme");
  const edited = edit(config);
  assert.notEqual(edited, config);
  return edited;
}

const WITHOUT_ACCESS: { name: string; edit: (config: string) => string }[] = [
  {
    name: "expiry recorded",
    edit: (config) => config.replace(`accessToken = "${accessTokenOf(EMAIL)}"\n`, ""),
  },
  {
    name: "no expiry recorded",
    edit: (config) =>
      config.replace(`accessToken = "${accessTokenOf(EMAIL)}"\n`, "")
        .replace(/accessTokenExpiresAt = \d+\n/, ""),
  },
];

for (const { name, edit } of WITHOUT_ACCESS) {
  Deno.test(`stored token: a session with a refresh token but no access token (${name}) -> a session problem: token exits 1 saying log in again, switch sends nothing and says so`, async () => {
    await withAblyServer({}, async (server) => {
      const config = acme(server.host, edit);
      await withConfigDir(config, async (dir) => {
        const env = { ABLY_CONTROL_HOST: server.host };
        const token = await runCli(["accounts", "token"], {
          configDir: dir,
          env,
          now: HOUR_BEFORE,
        });
        assert.equal(token.code, 1, token.stderr);
        assert.equal(token.stdout, "");
        assert.match(
          unwrapped(token.stderr),
          /OAuth session expired\. Please run "ably login" again\./,
        );

        const switched = await runCli(["accounts", "switch", "acme", "--json"], {
          configDir: dir,
          env,
          now: HOUR_BEFORE,
        });
        assert.equal(switched.code, 0, switched.stderr);
        const records = switched.records();
        assert.match(
          String(records[0].message),
          /its token was not accepted \(OAuth session expired\. Please run "ably login" again\.\)/,
        );
        assert.equal(resultOf(records).account.verified, false);
        // Nothing sent anywhere: no `Bearer undefined`, no refresh.
        assert.deepEqual(server.requests.map((r) => [r.path, r.authorization]), []);
        assert.equal(await readConfigText(dir), config);
      });
    });
  });
}

Deno.test("stored token: an OAuth token with no recorded expiry is used as it is, never refreshed (token prints it; switch verifies with it)", async () => {
  await withAblyServer({}, async (server) => {
    const config = acme(server.host, (c) => c.replace(/accessTokenExpiresAt = \d+\n/, ""));
    await withConfigDir(config, async (dir) => {
      const env = { ABLY_CONTROL_HOST: server.host };
      // Long after the fixtures' expiry: without a recorded one, the clock does not matter.
      const now = () => EXPIRY + 365 * 86_400_000;
      const token = await runCli(["accounts", "token"], {
        configDir: dir,
        env,
        now,
        secrets: [refreshTokenOf(EMAIL)],
      });
      assert.equal(token.code, 0, token.stderr);
      assert.equal(token.stdout, `${accessTokenOf(EMAIL)}\n`);
      assert.deepEqual(token.hosts, []);

      const switched = await runCli(["accounts", "switch", "acme"], { configDir: dir, env, now });
      assert.equal(switched.code, 0, switched.stderr);
      assert.deepEqual(server.requests.map((r) => [r.path, r.authorization]), [
        ["/api/v1/me", `Bearer ${accessTokenOf(EMAIL)}`],
      ]);
      assert.equal(await readConfigText(dir), config);
    });
  });
});

Deno.test("stored token: the expiry rule at its edges (valid before the 60 s margin, expiring from it, expired from the expiry itself)", () => {
  const expiresAt = 1_000_000;
  const cases: [now: number, state: ReturnType<typeof tokenState>][] = [
    [expiresAt - REFRESH_MARGIN_MS - 1, "valid"],
    [expiresAt - REFRESH_MARGIN_MS, "expiring"],
    [expiresAt - 1, "expiring"],
    [expiresAt, "expired"],
    [expiresAt + 1, "expired"],
  ];
  for (const [now, state] of cases) assert.equal(tokenState(expiresAt, now), state, `at ${now}`);
  assert.equal(tokenState(undefined, expiresAt), "valid");
});
