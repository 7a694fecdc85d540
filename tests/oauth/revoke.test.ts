import assert from "node:assert/strict";
import { OAUTH_CLIENT_ID } from "../../src/oauth/endpoint.ts";
import { revokeToken, revokeTokenPair } from "../../src/oauth/revoke.ts";
import { closedHost, startAblyServer } from "../helpers/ably-server.ts";

Deno.test("revoke: RFC 7009 form POST to /oauth/revoke with the public client id", async () => {
  const server = startAblyServer();
  try {
    assert.deepEqual(await revokeToken("tok-1", { host: server.host }), { status: "revoked" });
    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request.method, "POST");
    assert.equal(request.path, "/oauth/revoke");
    assert.equal(request.contentType, "application/x-www-form-urlencoded");
    assert.deepEqual(request.form, { client_id: OAUTH_CLIENT_ID, token: "tok-1" });
  } finally {
    await server.close();
  }
});

Deno.test("revoke: every 2xx answer is a revocation (204 No Content, 200 with a body); 3xx, 4xx and 5xx are not", async () => {
  const cases: [status: number, body: unknown, revoked: boolean][] = [
    [200, undefined, true],
    [200, { ok: true }, true],
    [204, undefined, true],
    [299, undefined, true],
    [304, undefined, false],
    [400, undefined, false],
    [503, undefined, false],
  ];
  for (const [status, body, revoked] of cases) {
    const server = startAblyServer({ revoke: { status, body } });
    try {
      const result = await revokeToken("tok-1", { host: server.host });
      assert.equal(result.status, revoked ? "revoked" : "failed", `${status}: ${result.status}`);
    } finally {
      await server.close();
    }
  }
});

Deno.test("revoke: access and refresh tokens go out in parallel", async () => {
  let inFlight = 0;
  let peak = 0;
  // Measure concurrency with a slow server: both requests must be pending together.
  const slow = startAblyServer({
    revoke: async () => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 150));
      inFlight--;
      return { status: 200 };
    },
  });
  try {
    const started = performance.now();
    const result = await revokeTokenPair({ access: "a", refresh: "r" }, { host: slow.host });
    assert.deepEqual(result, { access: { status: "revoked" }, refresh: { status: "revoked" } });
    assert.equal(peak, 2);
    assert.ok(performance.now() - started < 290, "two round trips would take 300ms");
  } finally {
    await slow.close();
  }
});

Deno.test("revoke: 4xx and 5xx answers fail with the status and the server's words (its error description, else its error, else a cleaned, bounded body); the answer itself kept for JSON", async () => {
  const body = `{"error":"server_error"}\u001b[31m\r\n${"x".repeat(500)}`;
  const rfc = JSON.stringify({
    error: "temporarily_unavailable",
    error_description: "revocation unavailable",
  });
  const server = startAblyServer({
    revoke: (r) =>
      r.form.token === "bad"
        ? { status: 400, body: "" }
        : r.form.token === "rfc"
        ? { status: 503, body: rfc }
        : r.form.token === "code"
        ? { status: 400, body: '{"error":"invalid_request"}' }
        : { status: 500, body },
  });
  try {
    assert.deepEqual(await revokeToken("bad", { host: server.host }), {
      status: "failed",
      reason: "the server answered 400",
      httpStatus: 400,
    });
    assert.deepEqual(await revokeToken("rfc", { host: server.host }), {
      status: "failed",
      reason: "the server answered 503: revocation unavailable",
      httpStatus: 503,
      response: rfc,
    });
    assert.equal(
      (await revokeToken("code", { host: server.host }) as { reason: string }).reason,
      "the server answered 400: invalid request",
    );
    const failed = await revokeToken("t", { host: server.host });
    assert.equal(failed.status, "failed");
    const reason = failed.status === "failed" ? failed.reason : "";
    assert.match(reason, /^the server answered 500: \{"error":"server_error"\} \[31m x+…$/);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(reason, /[\u0000-\u001f]/);
    assert.ok(reason.length < 260);
  } finally {
    await server.close();
  }
});

Deno.test("revoke: a server echoing the token never gets it into the reason", async () => {
  const server = startAblyServer({
    revoke: (r) => ({ status: 400, body: `unknown token ${r.form.token}` }),
  });
  try {
    const result = await revokeToken("top-secret-token", { host: server.host });
    assert.deepEqual(result, {
      status: "failed",
      reason: "the server answered 400: unknown token [redacted]",
      httpStatus: 400,
      response: "unknown token [redacted]",
    });
  } finally {
    await server.close();
  }
});

Deno.test("revoke: a token echoed across the 200-character cut leaves no part of it in the reason", async () => {
  const token = `tok-${"0123456789abcdef".repeat(3)}`;
  // The token starts before the cut and ends after it.
  const cases = [150, 180, 195, 199];
  const server = startAblyServer({
    revoke: (r) => {
      const pad = Number(r.form.client_id);
      return { status: 400, body: `${"e".repeat(pad)}${r.form.token} trailing text` };
    },
  });
  try {
    for (const pad of cases) {
      const result = await revokeToken(token, { host: server.host, clientId: String(pad) });
      assert.equal(result.status, "failed");
      const reason = result.status === "failed" ? result.reason : "";
      assert.match(reason, /^the server answered 400: e+/, `pad ${pad}`);
      assert.ok(!reason.includes(token.slice(0, 6)), `pad ${pad}: ${reason}`);
      const response = result.status === "failed" ? result.response ?? "" : "";
      assert.ok(!response.includes(token.slice(0, 6)), `pad ${pad}: ${response}`);
    }
  } finally {
    await server.close();
  }
});

Deno.test("revoke: a hanging server times out on time", async () => {
  const server = startAblyServer({ revoke: { hang: true } });
  try {
    const started = performance.now();
    const result = await revokeToken("t", { host: server.host, timeoutMs: 300 });
    const elapsed = performance.now() - started;
    assert.deepEqual(result, { status: "failed", reason: "timed out after 300 ms" });
    assert.ok(elapsed >= 290 && elapsed < 800, `took ${elapsed}ms`);
  } finally {
    await server.close();
  }
});

Deno.test("revoke: connection refused is a failure, not an exception", async () => {
  const result = await revokeToken("t", { host: await closedHost() });
  assert.equal(result.status, "failed");
  assert.match(result.status === "failed" ? result.reason : "", /refused|connect/i);
});

Deno.test("revoke: an invalid host fails without any request", async () => {
  assert.deepEqual(await revokeToken("t", { host: "evil.example/steal?x=" }), {
    status: "failed",
    reason: 'invalid OAuth host "evil.example/steal?x="',
  });
});

Deno.test("revoke: a redirect is not followed, so the token stays with its host", async () => {
  const other = startAblyServer();
  const redirecting = startAblyServer({
    revoke: { status: 307, headers: { location: `http://${other.host}/oauth/revoke` } },
  });
  try {
    const result = await revokeToken("t", { host: redirecting.host });
    assert.equal(result.status, "failed");
    assert.equal(other.requests.length, 0);
  } finally {
    await redirecting.close();
    await other.close();
  }
});

Deno.test("revoke: an external abort cancels the request", async () => {
  const server = startAblyServer({ revoke: { hang: true } });
  try {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await revokeToken("t", { host: server.host, signal: controller.signal });
    assert.deepEqual(result, { status: "failed", reason: "cancelled" });
  } finally {
    await server.close();
  }
});

Deno.test("revoke: a failure whose message carries the token (an injected fetch's) never gets it into the reason", async () => {
  const token = "ably_oat_echoed_in_error";
  const result = await revokeToken(token, {
    host: "127.0.0.1:9",
    fetch: () => Promise.reject(new Error(`proxy refused token=${token}`)),
  });
  assert.equal(result.status, "failed");
  assert.ok(result.status === "failed" && !result.reason.includes(token), JSON.stringify(result));
});
