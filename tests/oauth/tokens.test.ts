import assert from "node:assert/strict";
import { Cancelled } from "../../src/errors.ts";
import {
  type DeviceCode,
  OAuthError,
  pollForTokens,
  refreshTokens,
  requestDeviceCode,
} from "../../src/oauth/tokens.ts";
import { OAUTH_CLIENT_ID } from "../../src/oauth/endpoint.ts";
import { type Answer, closedHost, startAblyServer, tokenBody } from "../helpers/ably-server.ts";
import { startHugeServer } from "../helpers/huge_server.ts";
import { withDeadline } from "../helpers/deadline.ts";

const code: DeviceCode = {
  deviceCode: "device-123",
  userCode: "TEST-CODE",
  verificationUri: "u",
  verificationUriComplete: "u?c",
  expiresIn: 60,
  interval: 5,
};

/** Polls with a recording, instant sleep so interval handling can be asserted. */
async function poll(polls: Answer[]) {
  const server = startAblyServer({ polls });
  const sleeps: number[] = [];
  try {
    const result = await pollForTokens(server.host, code, {
      sleep: (ms) => {
        sleeps.push(ms / 1000);
        return Promise.resolve();
      },
    }).catch((error: OAuthError) => error);
    return { result, sleeps, requests: server.to("/oauth/token") };
  } finally {
    await server.close();
  }
}

/** Each sleep is the expected interval (seconds) with at most ±10% jitter. */
function assertIntervals(actual: number[], expected: number[]) {
  assert.equal(actual.length, expected.length, `sleeps ${actual}`);
  actual.forEach((s, i) => assert.ok(Math.abs(s - expected[i]) <= expected[i] * 0.1 + 1e-9));
}

const ok = { status: 200, body: tokenBody("a", "r", 120) };
const oauthError = (error: string, status = 400, headers?: Record<string, string>) => ({
  status,
  body: { error },
  headers,
});

Deno.test("device code: request body and mapped fields", async () => {
  const server = startAblyServer();
  try {
    const device = await requestDeviceCode(server.host);
    assert.deepEqual(device, {
      deviceCode: "device-123",
      userCode: "TEST-CODE",
      verificationUri: "https://ably.example/device",
      verificationUriComplete: "https://ably.example/device?code=TEST-CODE",
      expiresIn: 30,
      interval: 0.01,
    });
    assert.deepEqual(server.to("/oauth/authorize_device")[0].form, {
      client_id: OAUTH_CLIENT_ID,
      scope: "full_access",
    });
  } finally {
    await server.close();
  }
});

Deno.test("poll: pending, then tokens; the device grant is sent each time", async () => {
  const { result, sleeps, requests } = await poll([
    oauthError("authorization_pending"),
    oauthError("authorization_pending"),
    ok,
  ]);
  assert.ok(!(result instanceof Error));
  assert.equal(result.accessToken, "a");
  assert.equal(result.refreshToken, "r");
  assert.ok(Math.abs(result.expiresAt - (Date.now() + 120_000)) < 5000);
  assertIntervals(sleeps, [5, 5, 5]);
  assert.deepEqual(requests[0].form, {
    client_id: OAUTH_CLIENT_ID,
    device_code: "device-123",
    grant_type: "urn:ietf:params:oauth:grant-type:device_code",
  });
});

Deno.test("poll: slow_down adds 5 s; 429 honours Retry-After", async () => {
  const slow = await poll([oauthError("slow_down"), ok]);
  assertIntervals(slow.sleeps, [5, 10]);
  const limited = await poll([oauthError("rate_limited", 429, { "retry-after": "7" }), ok]);
  assertIntervals(limited.sleeps, [5, 7]);
  // A Retry-After past a minute waits a minute: the code would expire meanwhile.
  const long = await poll([oauthError("rate_limited", 429, { "retry-after": "3600" }), ok]);
  assertIntervals(long.sleeps, [5, 60]);
  const bare429 = await poll([{ status: 429, body: "slow down" }, ok]);
  assertIntervals(bare429.sleeps, [5, 10]);
  assert.ok(!(bare429.result instanceof Error), "a bare 429 is not fatal");
});

Deno.test("poll: denied, expired and unknown errors end with clear messages", async () => {
  assert.equal(
    ((await poll([oauthError("access_denied")])).result as Error).message,
    "Authorization denied",
  );
  assert.equal(
    ((await poll([oauthError("expired_token")])).result as Error).message,
    "Device code expired",
  );
  assert.equal(
    ((await poll([{ status: 400, body: { error: "odd", error_description: "Odd thing" } }]))
      .result as Error).message,
    "Token polling failed: Odd thing",
  );
  assert.equal(
    ((await poll([{ status: 500, body: "<html>" }])).result as Error).message,
    "Token polling failed: HTTP 500",
  );
  assert.equal(
    ((await poll([{ status: 200, body: { access_token: "only" } }])).result as Error).message
      .replace(/127\.0\.0\.1:\d+/, "HOST"),
    "Unexpected answer from the authorization server at HOST: POST /oauth/token: " +
      "refresh_token must be a string (got nothing)",
  );
});

Deno.test("poll: the deadline passing ends polling as expired (reaching it exactly too)", async () => {
  for (const [expiresIn, requests] of [[12, 2], [10, 1]] as const) {
    await pollUntilExpired(expiresIn, requests);
  }
});

async function pollUntilExpired(expiresIn: number, requests: number) {
  let now = 0;
  const server = startAblyServer({ polls: [oauthError("authorization_pending")] });
  try {
    // Polling past the deadline would never end: the test's own deadline stops it.
    const stop = new AbortController();
    const error = await withDeadline(
      5_000,
      "polling a device code past its expiry",
      pollForTokens(server.host, { ...code, expiresIn }, {
        now: () => now,
        signal: stop.signal,
        sleep: () => {
          now += 5000;
          return Promise.resolve();
        },
      }),
    ).catch((e) => e).finally(() => stop.abort());
    assert.equal(error.message, "Device code expired");
    // Sleeps of 5 s: a request at 5 s, at 10 s unless that is the deadline, none after it.
    assert.equal(server.to("/oauth/token").length, requests, `expires in ${expiresIn} s`);
  } finally {
    await server.close();
  }
}

Deno.test("poll: an abort stops a pending sleep at once", async () => {
  const controller = new AbortController();
  const started = performance.now();
  setTimeout(() => controller.abort(), 30);
  const error = await pollForTokens("127.0.0.1:9", code, { signal: controller.signal }).catch((
    e,
  ) => e);
  assert.ok(error instanceof Cancelled, String(error));
  assert.ok(performance.now() - started < 1000);
});

Deno.test("refresh: rotates tokens; keeps the old refresh token when none is returned", async () => {
  const server = startAblyServer({
    refresh: (token) =>
      token === "keep"
        ? { status: 200, body: { access_token: "new-a", expires_in: 60 } }
        : token === "bare"
        ? { status: 200, body: { access_token: "bare-a", refresh_token: "bare-r", scope: "" } }
        : token === "dead"
        ? { status: 400, body: { error: "invalid_grant" } }
        : { status: 503, body: { error: "temporarily_unavailable" } },
  });
  try {
    const kept = await refreshTokens(server.host, "keep");
    assert.equal(kept.accessToken, "new-a");
    assert.equal(kept.refreshToken, "keep");
    assert.deepEqual(server.to("/oauth/token")[0].form, {
      client_id: OAUTH_CLIENT_ID,
      grant_type: "refresh_token",
      refresh_token: "keep",
    });
    const dead = await refreshTokens(server.host, "dead").catch((e) => e);
    assert.equal(dead.code, "invalid_grant");
    assert.match(dead.message, /no longer valid/);
    // No lifetime in the answer: an hour, as the issuer's default; an empty scope is a scope.
    const bare = await refreshTokens(server.host, "bare", { now: () => 1_000 });
    assert.deepEqual(bare, {
      accessToken: "bare-a",
      refreshToken: "bare-r",
      expiresAt: 1_000 + 3_600_000,
      scope: "",
    });
    const other = await refreshTokens(server.host, "x").catch((e) => e);
    assert.equal(other.message, `Token refresh failed at ${server.host}: temporarily_unavailable`);
  } finally {
    await server.close();
  }
});

/** A loopback server answering every request with `body` (status 200). */
function answering(body: string) {
  return startAblyServer({ all: { status: 200, body } });
}

Deno.test("device code: unusable answers and hosts are errors that say what went wrong", async () => {
  const cases: [body: string, message: (host: string) => string][] = [
    [
      "<html>maintenance</html>",
      (host) =>
        `Device code request failed: ${host} answered HTTP 200 with a body that is not JSON`,
    ],
    [
      "42",
      (host) =>
        `Unexpected answer from the authorization server at ${host}: POST /oauth/authorize_device: ` +
        "the body must be an object (got a number)",
    ],
    [
      '{"device_code":"d","verification_uri":"https://x.example"}',
      (host) =>
        `Unexpected answer from the authorization server at ${host}: POST /oauth/authorize_device: ` +
        "user_code must be a string (got nothing)",
    ],
    [
      '{"device_code":"d","user_code":7,"verification_uri":"https://x.example"}',
      (host) =>
        `Unexpected answer from the authorization server at ${host}: POST /oauth/authorize_device: ` +
        "user_code must be a string (got a number)",
    ],
    [
      '{"device_code":"d\\u001b","user_code":"U","verification_uri":"https://x.example"}',
      (host) =>
        `Unexpected answer from the authorization server at ${host}: POST /oauth/authorize_device: ` +
        "device_code must not contain control or invisible format characters",
    ],
    [
      '{"device_code":"d","user_code":"U","verification_uri":"https://x.example","interval":1e400}',
      (host) =>
        `Unexpected answer from the authorization server at ${host}: POST /oauth/authorize_device: ` +
        "interval must be a number from 0.001 to 600",
    ],
  ];
  for (const [body, message] of cases) {
    const server = answering(body);
    try {
      const error = await requestDeviceCode(server.host).catch((e) => e);
      assert.equal(error.name, "OAuthError", body);
      assert.equal(error.message, message(server.host), body);
    } finally {
      await server.close();
    }
  }
  // A code's lifetime may be up to a day (Ably's is 15 minutes); a longer one is refused.
  for (const [expiresIn, accepted] of [[900, true], [86_400, true], [86_401, false]] as const) {
    const server = answering(
      `{"device_code":"d","user_code":"U","verification_uri":"https://x.example","expires_in":${expiresIn}}`,
    );
    try {
      const answer = await requestDeviceCode(server.host).catch((e) => e);
      if (accepted) assert.equal(answer.expiresIn, expiresIn);
      else assert.match(answer.message, /expires_in must be a number from 1 to 86400/);
    } finally {
      await server.close();
    }
  }
  // A missing verification_uri_complete, expires_in and interval take the RFC's defaults.
  const minimal = answering(
    '{"device_code":"d","user_code":"U","verification_uri":"https://x.example"}',
  );
  try {
    assert.deepEqual(await requestDeviceCode(minimal.host), {
      deviceCode: "d",
      userCode: "U",
      verificationUri: "https://x.example",
      verificationUriComplete: "https://x.example",
      expiresIn: 300,
      interval: 5,
    });
  } finally {
    await minimal.close();
  }
});

Deno.test("device code: a host that is not a host is refused unsent; a cancelled request says so", async () => {
  let sent = 0;
  const fetch = () => {
    sent++;
    return Promise.reject(new TypeError("unexpected request"));
  };
  const invalid = await requestDeviceCode("ably.com/path", { fetch }).catch((e) => e);
  assert.match(invalid.message, /^Device code request failed: .*ably\.com\/path/);
  assert.equal(sent, 0);
  const cancelled = await requestDeviceCode("127.0.0.1:9", { signal: AbortSignal.abort() })
    .catch((e) => e);
  assert.ok(cancelled instanceof Cancelled, String(cancelled));
});

/** Polls `host` with instant sleeps. */
function pollAt(host: string, options: { fetch?: typeof fetch; signal?: AbortSignal } = {}) {
  return pollForTokens(host, code, { ...options, sleep: () => Promise.resolve() })
    .catch((error: OAuthError) => error);
}

Deno.test("poll: a network failure is retried; three in a row end polling with the cause", async () => {
  const closed = await closedHost();
  const failed = await pollAt(closed) as OAuthError;
  assert.match(
    failed.message,
    new RegExp(
      `^Network error: failed to reach token endpoint at ${closed} after multiple retries \\(.*(refused|connect)`,
      "i",
    ),
  );
  assert.ok(!failed.message.includes(code.deviceCode));

  // Two failures, then an answer: polling goes on and the tokens arrive.
  const server = startAblyServer();
  let failures = 0;
  try {
    const flaky: typeof fetch = (input, init) =>
      ++failures <= 2 ? Promise.reject(new TypeError("connection reset")) : fetch(input, init);
    const tokens = await pollAt(server.host, { fetch: flaky });
    assert.ok(!(tokens instanceof Error), String(tokens));
    assert.equal(failures, 3);
    assert.equal(server.to("/oauth/token").length, 1);
  } finally {
    await server.close();
  }
});

Deno.test("poll: the count of network failures starts again after any answer: two failures, an answer, two more, then the tokens", async () => {
  const server = startAblyServer({
    polls: [oauthError("authorization_pending"), oauthError("authorization_pending"), ok],
  });
  let calls = 0;
  try {
    // Requests 1, 2, 4 and 5 fail on the way; 3, 6 and 7 are answered (pending, pending, tokens).
    const flaky: typeof fetch = (input, init) =>
      [1, 2, 4, 5].includes(++calls)
        ? Promise.reject(new TypeError("connection reset"))
        : fetch(input, init);
    const tokens = await pollAt(server.host, { fetch: flaky });
    assert.ok(!(tokens instanceof Error), String(tokens));
    assert.equal(tokens.accessToken, "a");
    assert.equal(calls, 7);
    assert.equal(server.to("/oauth/token").length, 3);
  } finally {
    await server.close();
  }
});

Deno.test("poll: an oversized answer ends polling at once; an abort during a request is an abort", async () => {
  const huge = startHugeServer(4 * 1024 * 1024);
  try {
    const error = await pollAt(huge.host) as OAuthError;
    assert.equal(
      error.message,
      `Token polling failed: ${huge.host} sent a response larger than 1 MiB`,
    );
  } finally {
    await huge.close();
  }

  const controller = new AbortController();
  const aborting: typeof fetch = () => {
    controller.abort();
    return Promise.reject(new DOMException("aborted", "AbortError"));
  };
  const aborted = await pollAt("127.0.0.1:9", { fetch: aborting, signal: controller.signal });
  assert.ok(aborted instanceof Cancelled, String(aborted));

  let sent = 0;
  const already = await pollAt("127.0.0.1:9", {
    fetch: () => Promise.reject(new TypeError(`request ${++sent}`)),
    signal: AbortSignal.abort(),
  });
  assert.ok(already instanceof Cancelled, String(already));
  assert.equal(sent, 0);
});

Deno.test("refresh: a wrongly shaped token answer names host, request and field; nothing is returned", async () => {
  const cases: [body: unknown, field: string][] = [
    [null, "the body must be an object (got null)"],
    [
      { access_token: { a: 1 }, refresh_token: "r" },
      "access_token must be a string (got an object)",
    ],
    [
      { access_token: "a", refresh_token: "r", expires_in: 1e300 },
      "expires_in must be a number from 1 to 315360000",
    ],
    [
      { access_token: "a", refresh_token: "r", expires_in: "soon" },
      "expires_in must be a number (got a string of 4 characters)",
    ],
    [
      { access_token: "a\r\nX-Evil: 1", refresh_token: "r" },
      "access_token must not contain control or invisible format characters",
    ],
    [
      { access_token: "a", refresh_token: 18446744073709551616 },
      "refresh_token must be a string (got a number)",
    ],
  ];
  for (const [body, field] of cases) {
    const server = startAblyServer({
      refresh: () => ({ status: 200, body: JSON.stringify(body) }),
    });
    try {
      const error = await refreshTokens(server.host, "old_refresh_token").catch((e) => e);
      assert.ok(error instanceof OAuthError, String(error));
      assert.equal(
        error.message,
        `Unexpected answer from the authorization server at ${server.host}: POST /oauth/token: ${field}`,
      );
    } finally {
      await server.close();
    }
  }
});

Deno.test("poll: Ctrl-C after two network failures is a cancellation, not the network error", async () => {
  const interrupt = new AbortController();
  let calls = 0;
  const code = {
    deviceCode: "device-123",
    userCode: "TEST",
    verificationUri: "https://ably.example/device",
    verificationUriComplete: "https://ably.example/device",
    expiresIn: 30,
    interval: 0.001,
  };
  await assert.rejects(
    pollForTokens("127.0.0.1:9", code, {
      signal: interrupt.signal,
      sleep: () => Promise.resolve(),
      fetch: () => {
        if (++calls === 3) interrupt.abort();
        return Promise.reject(new TypeError("connection refused"));
      },
    }),
    Cancelled,
  );
  assert.equal(calls, 3);
});

Deno.test("refresh: Ctrl-C during the request is a cancellation, not an OAuth error", async () => {
  const interrupt = new AbortController();
  await assert.rejects(
    refreshTokens("127.0.0.1:9", "ably_ort_xxxxxxxx", {
      signal: interrupt.signal,
      fetch: () => {
        interrupt.abort();
        return Promise.reject(new DOMException("aborted", "AbortError"));
      },
    }),
    Cancelled,
  );
});

Deno.test("refresh: a network failure whose message carries the refresh token never shows it", async () => {
  const refreshToken = "ably_ort_in_the_error";
  await assert.rejects(
    refreshTokens("127.0.0.1:9", refreshToken, {
      fetch: () => Promise.reject(new TypeError(`proxy refused refresh ${refreshToken}`)),
    }),
    (e: unknown) => e instanceof OAuthError && !e.message.includes(refreshToken),
  );
});

Deno.test("refresh: a refresh token echoed across the 200-character cut of the error leaves no part of it", async () => {
  const refreshToken = "ably_ort_0123456789abcdef";
  const description = `${"x".repeat(190)} ${refreshToken}`;
  await assert.rejects(
    refreshTokens("127.0.0.1:9", refreshToken, {
      fetch: () =>
        Promise.resolve(
          new Response(JSON.stringify({ error: "server_error", error_description: description }), {
            status: 400,
          }),
        ),
    }),
    (e: unknown) => e instanceof OAuthError && !e.message.includes(refreshToken.slice(0, 6)),
  );
});

Deno.test("device code: a refused request's body echoing a token shape never shows the token", async () => {
  await assert.rejects(
    requestDeviceCode("127.0.0.1:9", {
      fetch: () =>
        Promise.resolve(
          new Response("bad request: access_token=ably_oat_shapeecho99", { status: 400 }),
        ),
    }),
    (e: unknown) => e instanceof OAuthError && !e.message.includes("ably_oat_shapeecho99"),
  );
});

Deno.test("poll: the device code never shows in the network error that ends polling", async () => {
  const code = {
    deviceCode: "device-code-secret-42",
    userCode: "TEST",
    verificationUri: "https://ably.example/device",
    verificationUriComplete: "https://ably.example/device",
    expiresIn: 30,
    interval: 0.001,
  };
  await assert.rejects(
    pollForTokens("127.0.0.1:9", code, {
      sleep: () => Promise.resolve(),
      fetch: () => Promise.reject(new TypeError(`refused device-code-secret-42`)),
    }),
    (e: unknown) => e instanceof OAuthError && !e.message.includes("device-code-secret-42"),
  );
});
