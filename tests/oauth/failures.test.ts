import assert from "node:assert/strict";
import { revokeToken, revokeTokenPair } from "../../src/oauth/revoke.ts";
import { pollForTokens, refreshTokens, requestDeviceCode } from "../../src/oauth/tokens.ts";
import { closedHost, startAblyServer } from "../helpers/ably-server.ts";

const REFRESH = "rt_9f8e7d6c5b4a-SECRET";

Deno.test("refresh: every network failure names the host and the cause", async () => {
  const refused = await closedHost();
  const error = await refreshTokens(refused, REFRESH).catch((e) => e);
  assert.match(
    error.message,
    new RegExp(
      `^Token refresh failed at ${refused}: cannot reach ${refused} \\(.*(refused|connect)`,
      "i",
    ),
  );

  const hang = startAblyServer({ all: { hang: true } });
  try {
    const timedOut = await refreshTokens(hang.host, REFRESH, { timeoutMs: 200 }).catch((e) => e);
    assert.equal(
      timedOut.message,
      `Token refresh failed at ${hang.host}: ${hang.host} timed out after 200 ms`,
    );
  } finally {
    await hang.close();
  }

  const html = startAblyServer({ all: { status: 200, body: "<html>Bad gateway</html>" } });
  try {
    const notJson = await refreshTokens(html.host, REFRESH).catch((e) => e);
    assert.equal(
      notJson.message,
      `Token refresh failed at ${html.host}: ${html.host} answered HTTP 200 with a body that is not JSON`,
    );
  } finally {
    await html.close();
  }

  const dns = await refreshTokens("no-such-host.invalid", REFRESH, { timeoutMs: 3000 }).catch((e) =>
    e
  );
  assert.match(
    dns.message,
    /^Token refresh failed at no-such-host\.invalid: .*no-such-host\.invalid/,
  );
});

Deno.test("refresh: a server echoing the refresh token in error_description never shows it", async () => {
  const echo = startAblyServer({
    refresh: (token) => ({
      status: 400,
      body: {
        error: "invalid_request",
        error_description: `bad token ${token} (${encodeURIComponent(token).toUpperCase()}) ` +
          `refresh_token=${token} ${btoa(token)}`,
      },
    }),
  });
  try {
    const error = await refreshTokens(echo.host, REFRESH).catch((e) => e);
    assert.ok(!/9f8e7d6c5b4a/i.test(error.message), error.message);
    assert.ok(!error.message.includes(btoa(REFRESH)), error.message);
    assert.match(error.message, /^Token refresh failed at .*: bad token \[redacted\]/);
  } finally {
    await echo.close();
  }
});

Deno.test("revoke: percent-encoded, case-changed and sibling tokens in the reply are redacted", async () => {
  const server = startAblyServer({
    revoke: (r) => ({
      status: 400,
      body: `unknown ${encodeURIComponent(r.form.token)} ${r.form.token.toUpperCase()} ` +
        `(pair: access-token-AAAA / refresh-token-BBBB)`,
    }),
  });
  try {
    const { access, refresh } = await revokeTokenPair(
      { access: "access-token-AAAA", refresh: "refresh-token-BBBB" },
      { host: server.host },
    );
    for (const result of [access, refresh]) {
      const reason = result?.status === "failed" ? result.reason : "";
      const response = result?.status === "failed" ? result.response ?? "" : "";
      assert.ok(!/AAAA|BBBB/i.test(reason + response), reason + response);
      assert.match(reason, /^the server answered 400: unknown \[redacted\]/);
    }
  } finally {
    await server.close();
  }
});

Deno.test("oauth: every entry point uses an injected fetch", async () => {
  const calls: string[] = [];
  const fake: typeof fetch = (input) => {
    const path = new URL(String(input)).pathname;
    calls.push(path);
    const body = path === "/oauth/authorize_device"
      ? { device_code: "d", user_code: "u", verification_uri: "https://v", interval: 1 }
      : path === "/oauth/token"
      ? { access_token: "a", refresh_token: "r", expires_in: 60 }
      : {};
    return Promise.resolve(Response.json(body));
  };
  const host = "auth.example.test";
  assert.deepEqual(await revokeToken("t123", { host, fetch: fake }), { status: "revoked" });
  await revokeTokenPair({ access: "a123", refresh: "r123" }, { host, fetch: fake });
  const code = await requestDeviceCode(host, { fetch: fake });
  await pollForTokens(host, code, { fetch: fake, sleep: () => Promise.resolve() });
  await refreshTokens(host, "r123", { fetch: fake });
  assert.deepEqual(calls, [
    "/oauth/revoke",
    "/oauth/revoke",
    "/oauth/revoke",
    "/oauth/authorize_device",
    "/oauth/token",
    "/oauth/token",
  ]);
});
