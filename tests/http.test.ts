import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { fetchBounded, hostUrl, HttpFailure, MAX_RESPONSE_BYTES } from "../src/http.ts";
import { controlBaseUrl } from "../src/control/api.ts";
import { startHugeServer } from "./helpers/huge_server.ts";
import { withDeadline } from "./helpers/deadline.ts";

const CLIENT = fromFileUrl(new URL("./helpers/big_reply_client.ts", import.meta.url));

Deno.test("http: loopback look-alikes get https, only real loopback gets http", () => {
  for (
    const host of ["127.0.0.1.evil.example", "localhost.evil", "127.0.0.1.nip.io", "localhostx"]
  ) {
    assert.equal(hostUrl(host).protocol, "https:", host);
    assert.match(controlBaseUrl(host), /^https:/, host);
  }
  for (const host of ["localhost", "127.0.0.1:9", "127.255.0.1", "[::1]:80"]) {
    assert.equal(hostUrl(host).protocol, "http:", host);
  }
});

Deno.test({
  name: "http: a 400 MB reply to every client fails as too large, peak memory far below 100 MiB",
  ignore: Deno.build.os !== "linux", // VmHWM is read from /proc
  async fn() {
    const server = startHugeServer(400 * 1024 * 1024);
    try {
      const child = await new Deno.Command(Deno.execPath(), {
        // --allow-all only so the helper may read its own /proc/self/status.
        args: ["run", "--allow-all", CLIENT, server.host],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(child.success, new TextDecoder().decode(child.stderr));
      const { results, peakKiB } = JSON.parse(new TextDecoder().decode(child.stdout));
      const tooLarge = /larger than 1 MiB/;
      assert.equal(results.revoke.status, "failed");
      assert.match(results.revoke.reason, tooLarge);
      for (const kind of ["refresh", "device", "control"]) {
        assert.match(results[kind], tooLarge, kind);
        assert.ok(results[kind].includes(server.host), `${kind} names the host`);
      }
      console.log(`peak RSS of the client: ${(peakKiB / 1024).toFixed(1)} MiB`);
      assert.ok(peakKiB < 100 * 1024, `peak ${peakKiB} KiB`);
      // The client stopped reading: far less than 400 MB went over the wire.
      assert.ok(server.sent() < 4 * 20 * 1024 * 1024, `sent ${server.sent()}`);
    } finally {
      await server.close();
    }
  },
});

Deno.test("http: a declared Content-Length past the cap is refused before reading", async () => {
  let pulled = false;
  const fake: typeof fetch = () =>
    Promise.resolve(
      new Response(
        new ReadableStream({
          pull() {
            pulled = true;
          },
        }, { highWaterMark: 0 }),
        { headers: { "content-length": String(MAX_RESPONSE_BYTES + 1) } },
      ),
    );
  const error = await fetchBounded("http://127.0.0.1:1/", {}, { timeoutMs: 1000, fetch: fake })
    .catch((e) => e);
  assert.ok(error instanceof HttpFailure && error.kind === "too-large", String(error));
  assert.equal(pulled, false);
});

Deno.test("http: the timeout covers the body, not only the headers", async () => {
  // Headers at once, then a body that never ends: the request still fails on time. A server of
  // its own, not ably-server.ts: the test is about the transport (a body stream left open).
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("{"));
        },
      }),
    ));
  try {
    const started = performance.now();
    const error = await fetchBounded(`http://127.0.0.1:${server.addr.port}/`, {}, {
      timeoutMs: 300,
    }).catch((e) => e);
    const elapsed = performance.now() - started;
    assert.ok(error instanceof HttpFailure, String(error));
    assert.equal(error.message, "timed out after 300 ms");
    assert.ok(elapsed < 1500, `took ${elapsed}ms`);
  } finally {
    await server.shutdown();
  }
});

Deno.test("http: an injected fetch is used, and a body under the cap is read whole", async () => {
  const seen: string[] = [];
  const fake: typeof fetch = (input, init) => {
    seen.push(`${init?.method} ${input} redirect=${init?.redirect}`);
    return Promise.resolve(new Response("é".repeat(1000), { status: 201, statusText: "Made" }));
  };
  const response = await fetchBounded("https://example.test/x", { method: "PUT" }, {
    timeoutMs: 1000,
    fetch: fake,
  });
  assert.deepEqual(seen, ["PUT https://example.test/x redirect=manual"]);
  assert.equal(response.status, 201);
  assert.equal(response.statusText, "Made");
  assert.equal(response.text, "é".repeat(1000));
});

Deno.test("http: a body from a fetch that ignores the signal still stops at the timeout", async () => {
  // An injected fetch (a test double, a proxy) whose body never ends and never sees the signal.
  const stalled: typeof fetch = () =>
    Promise.resolve(
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("{"));
          },
        }),
      ),
    );
  const started = performance.now();
  const error = await withDeadline(
    5_000,
    "reading a stalled body with a 300 ms timeout",
    fetchBounded("https://example.test/x", {}, { timeoutMs: 300, fetch: stalled }),
  ).catch((e) => e);
  const elapsed = performance.now() - started;
  assert.ok(error instanceof HttpFailure, String(error));
  assert.equal(error.message, "timed out after 300 ms");
  assert.ok(elapsed < 1500, `took ${elapsed}ms`);
});
