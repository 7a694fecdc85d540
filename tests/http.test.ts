import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import {
  type Decoder,
  fetchBounded,
  hostUrl,
  HttpFailure,
  MAX_RESPONSE_BYTES,
  number,
  object,
  optional,
  printable,
  ShapeError,
  someOf,
  text,
} from "../src/http.ts";
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

Deno.test("control: a host named control.* or control-* takes the public API's /v1 paths; any other host /api/v1", () => {
  const cases: [host: string, base: string][] = [
    ["control.ably.net", "https://control.ably.net/v1"],
    ["control-staging.ably.net", "https://control-staging.ably.net/v1"],
    ["Control.Example.com", "https://control.example.com/v1"],
    ["controlx.example.com", "https://controlx.example.com/api/v1"],
    ["ably.example.com", "https://ably.example.com/api/v1"],
    ["127.0.0.1:9", "http://127.0.0.1:9/api/v1"],
  ];
  for (const [host, base] of cases) assert.equal(controlBaseUrl(host), base, host);
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

/** The decoder's error for `value` in field `f`, or its result. */
function decode<T>(decoder: Decoder<T>, value: unknown): T | string {
  try {
    return decoder(value, "f");
  } catch (error) {
    assert.ok(error instanceof ShapeError, String(error));
    assert.ok(error.message.startsWith(`${error.field} `), error.message);
    return error.message;
  }
}

const REFUSED = "f must not contain control or invisible format characters";

/** Characters no identifier, token or address may hold, and what a name shows instead. */
const UNSAFE: [what: string, char: string, cleaned: string][] = [
  ["NUL", "\u0000", "a b"],
  ["ESC", "\x1b", "a b"],
  ["form feed", "\f", "a b"],
  ["DEL", "\x7f", "a b"],
  ["first C1 (U+0080)", "\u0080", "a b"],
  ["NEL (U+0085)", "\u0085", "a b"],
  ["one-character CSI (U+009B)", "\u009b", "a b"],
  ["last C1 (U+009F)", "\u009f", "a b"],
  ["right-to-left override", "\u202e", "a b"],
  ["byte-order mark", "\ufeff", "a b"],
  ["zero-width joiner (kept in names)", "\u200d", "a\u200db"],
];

Deno.test("decoders: a refused field takes no C0, DEL, C1 or hidden format character (U+0000-U+001F, U+007F-U+009F, ...); a cleaned one shows it as a space", () => {
  const id = text(64, { controls: "refuse" });
  const name = text(64, { controls: "clean" });
  for (const [what, char, cleaned] of UNSAFE) {
    assert.equal(decode(id, `a${char}b`), REFUSED, what);
    assert.equal(decode(name, `a${char}b`), cleaned, what);
  }
  // The characters either side of the ranges are ordinary text.
  for (const char of ["~", "\u00a0", "\u00e9"]) {
    assert.equal(decode(id, `a${char}b`), `a${char}b`, `U+${char.codePointAt(0)!.toString(16)}`);
  }
});

Deno.test("decoders: an empty string is refused unless the field allows it (empty: true), also when cleaning empties it; at most `max` characters", () => {
  const id = text(4, { controls: "refuse" });
  const name = text(4, { controls: "clean" });
  const emptyName = text(4, { controls: "clean", empty: true });
  const emptyId = text(4, { controls: "refuse", empty: true });
  assert.equal(decode(id, ""), "f must not be empty");
  assert.equal(decode(name, ""), "f must not be empty");
  assert.equal(decode(name, "\x1b\x07"), "f must not be empty");
  assert.equal(decode(emptyName, ""), "");
  assert.equal(decode(emptyName, "\x1b\x07"), "");
  assert.equal(decode(emptyId, ""), "");
  assert.equal(decode(id, "abcd"), "abcd");
  assert.equal(decode(id, "abcde"), "f must be at most 4 characters (got 5)");
});

Deno.test("decoders: optional(...) reads null and a missing field as absent (left out of the object); a value present must still decode", () => {
  const shape = object({
    id: text(8, { controls: "refuse" }),
    name: optional(text(8, { controls: "clean" })),
  });
  assert.deepEqual(decode(shape, { id: "i", name: null }), { id: "i" });
  assert.ok(!Object.hasOwn(decode(shape, { id: "i", name: null }) as object, "name"));
  assert.deepEqual(decode(shape, { id: "i" }), { id: "i" });
  assert.deepEqual(decode(shape, { id: "i", name: "n" }), { id: "i", name: "n" });
  assert.equal(decode(shape, { id: "i", name: "" }), "f.name must not be empty");
  assert.equal(decode(shape, { id: "i", name: 5 }), "f.name must be a string (got a number)");
  // Only optional fields may be null.
  assert.equal(decode(shape, { id: null }), "f.id must be a string (got null)");
  assert.equal(decode(optional(number(1, 2)), null), undefined);
});

Deno.test("http: a body of exactly the cap is read (declared or streamed); one byte more is refused", async () => {
  const answer = (body: string, declared: boolean): typeof fetch => () =>
    Promise.resolve(
      new Response(
        declared ? body : ReadableStream.from([new TextEncoder().encode(body)]),
        declared ? { headers: { "content-length": String(body.length) } } : {},
      ),
    );
  for (const declared of [true, false]) {
    const options = { timeoutMs: 1000, maxBytes: 4 };
    const exact = await fetchBounded("https://example.test/x", {}, {
      ...options,
      fetch: answer("abcd", declared),
    });
    assert.equal(exact.text, "abcd", `declared: ${declared}`);
    const over = await fetchBounded("https://example.test/x", {}, {
      ...options,
      fetch: answer("abcde", declared),
    }).catch((e) => e);
    assert.ok(over instanceof HttpFailure && over.kind === "too-large", String(over));
    assert.equal(over.message, "response larger than 1 KiB");
  }
});

Deno.test("printable: text of exactly the limit is whole; longer is cut there with an ellipsis", () => {
  assert.equal(printable("abcd", 4), "abcd");
  assert.equal(printable("abcde", 4), "abcd…");
  assert.equal(printable("  a\n\tb  ", 4), "a b");
});

Deno.test("decoders: a number may come as a string of digits; the bounds are inclusive", () => {
  const n = number(1, 10);
  assert.equal(decode(n, "7"), 7);
  assert.equal(decode(n, "10"), 10);
  assert.equal(decode(n, 1), 1);
  assert.equal(decode(n, 10), 10);
  assert.equal(decode(n, 0), "f must be a number from 1 to 10");
  assert.equal(decode(n, 11), "f must be a number from 1 to 10");
  assert.equal(decode(n, "11"), "f must be a number from 1 to 10");
  for (const text of ["1e1", "-1", " 7", "7.5", "0x7"]) {
    assert.equal(decode(n, text), `f must be a number (got a string of ${text.length} characters)`);
  }
});

Deno.test("decoders: a list may have exactly its maximum of items, not one more; an object's fields are its own (none inherited)", () => {
  const skipped: ShapeError[] = [];
  const list = someOf(text(8, { controls: "refuse" }), 2, (problem) => skipped.push(problem));
  assert.deepEqual(decode(list, ["a", "b"]), ["a", "b"]);
  assert.equal(decode(list, ["a", "b", "c"]), "f must have at most 2 items (got 3)");
  assert.deepEqual(skipped, []);
  // Names every object inherits are absent unless the answer has them itself.
  const shape = object({
    toString: optional(text(8, { controls: "clean" })),
    constructor: optional(text(8, { controls: "clean" })),
  });
  assert.deepEqual(decode(shape, {}), {});
  assert.deepEqual(decode(shape, JSON.parse('{"toString":"t"}')), { toString: "t" });
});
