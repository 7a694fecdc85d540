import assert from "node:assert/strict";
import { ControlApiError, controlClient } from "../../src/control/api.ts";

const TOKEN = "ctl-TOKEN-1234567890abcdef";

function serve(handler: (request: Request) => Response | Promise<Response>) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  return { host: `127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

Deno.test("control: an error echoing the Authorization header never shows the token", async () => {
  const server = serve((request) =>
    Response.json({
      message: `Unauthorized: got "${request.headers.get("authorization")}" ` +
        `(${encodeURIComponent(TOKEN)}, ${TOKEN.toLowerCase()})`,
      code: 40100,
      href: `https://help.ably.io/error/40100?token=${TOKEN}`,
    }, { status: 401 })
  );
  try {
    const error = await controlClient(server.host, TOKEN).me().catch((e) => e);
    assert.ok(error instanceof ControlApiError);
    assert.ok(!/1234567890abcdef/i.test(error.message), error.message);
    assert.ok(!/1234567890abcdef/i.test(error.helpUrl ?? ""), error.helpUrl);
    assert.match(
      error.message,
      /^API request failed \(401 Unauthorized\): Unauthorized: got "Bearer \[redacted\]"/,
    );
    assert.equal(error.errorCode, 40100);

    // A short plain-text body is shown too, and redacted the same way.
    const plain = serve(() => new Response(`no: Bearer ${TOKEN}`, { status: 403 }));
    const text = await controlClient(plain.host, TOKEN).apps("acc").catch((e) => e);
    await plain.close();
    assert.equal(text.message, "API request failed (403 Forbidden): no: Bearer [redacted]");
  } finally {
    await server.close();
  }
});

Deno.test("control: oversized, non-JSON and timed-out answers name the host and cause", async () => {
  const released = Promise.withResolvers<Response>();
  const server = serve((request) => {
    const path = new URL(request.url).pathname;
    if (path.endsWith("/me")) return new Response("x".repeat(2 * 1024 * 1024));
    if (path.endsWith("/apps")) return new Response("<html>", { status: 200 });
    return released.promise; // no answer until the test ends
  });
  try {
    const client = controlClient(server.host, TOKEN, { timeoutMs: 200 });
    const big = await client.me().catch((e) => e);
    assert.equal(
      big.message,
      `API request failed: GET /me at ${server.host} sent a response larger than 1 MiB`,
    );
    const html = await client.apps("a").catch((e) => e);
    assert.match(
      html.message,
      new RegExp(
        `GET /accounts/a/apps at ${server.host} answered HTTP 200 with a body that is not JSON`,
      ),
    );
    const slow = await client.keys("k").catch((e) => e);
    assert.equal(
      slow.message,
      `Network error: ${server.host} did not answer within 200ms; GET /apps/k/keys timed out`,
    );
  } finally {
    released.resolve(new Response(""));
    await server.close();
  }
});

Deno.test("control: an injected fetch is used", async () => {
  const seen: string[] = [];
  const fake: typeof fetch = (input, init) => {
    seen.push(`${init?.method} ${input} ${new Headers(init?.headers).get("authorization")}`);
    return Promise.resolve(
      Response.json({ account: { id: "1", name: "A" }, user: { email: "e" } }),
    );
  };
  const me = await controlClient("control.ably.net", "tk", { fetch: fake }).me();
  assert.equal(me.account.id, "1");
  assert.deepEqual(seen, ["GET https://control.ably.net/v1/me Bearer tk"]);
});
