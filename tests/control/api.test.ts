import assert from "node:assert/strict";
import { ControlApiError, controlClient } from "../../src/control/api.ts";
import { hostFlags, startAblyServer, withAblyServer } from "../helpers/ably-server.ts";
import { readConfigText, runCli, tempConfigDir, unwrapped } from "../helpers/cli.ts";
import { SAMPLE_LEGACY } from "../helpers/fixtures.ts";

const TOKEN = "ctl-TOKEN-1234567890abcdef";

const PLAIN = { "content-type": "text/plain" };

Deno.test("control: an error echoing the Authorization header never shows the token", async () => {
  const server = startAblyServer({
    me: (request) => ({
      status: 401,
      body: {
        message: `Unauthorized: got "${request.authorization}" ` +
          `(${encodeURIComponent(TOKEN)}, ${TOKEN.toLowerCase()})`,
        code: 40100,
        href: `https://help.ably.io/error/40100?token=${TOKEN}`,
      },
    }),
  });
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
    const text = await withAblyServer(
      { apps: { status: 403, body: `no: Bearer ${TOKEN}`, headers: PLAIN } },
      (plain) => controlClient(plain.host, TOKEN).apps("acc").catch((e) => e),
    );
    assert.equal(text.message, "API request failed (403 Forbidden): no: Bearer [redacted]");
  } finally {
    await server.close();
  }
});

Deno.test("control: oversized, non-JSON and timed-out answers name the host and cause", async () => {
  const server = startAblyServer({
    me: { status: 200, body: "x".repeat(2 * 1024 * 1024), headers: PLAIN },
    apps: { status: 200, body: "<html>", headers: PLAIN },
    keys: { hang: true }, // no answer until the test ends
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
      `Network error: ${server.host} did not answer within 200 ms; GET /apps/k/keys timed out`,
    );
  } finally {
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

Deno.test("control: a network failure whose message carries the token or escape codes is said redacted and neutralised", async () => {
  const fake: typeof fetch = () =>
    Promise.reject(new TypeError(`connect failed for Bearer ${TOKEN} \x1b[2J\x1b]0;pwned\x07`));
  const error = await controlClient("control.ably.net", TOKEN, { fetch: fake }).me()
    .catch((e) => e);
  assert.ok(error instanceof ControlApiError, String(error));
  assert.match(error.message, /^Network error: control\.ably\.net: /);
  assert.ok(!error.message.includes(TOKEN), error.message);
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(error.message, /[\x00-\x1f]/, error.message);
});

/** Answers of the wrong shape, and the field each error must name. */
const BAD_ME: [what: string, body: string, field: string][] = [
  ["null", "null", "the body must be an object (got null)"],
  ["an array", "[]", "the body must be an object (got an array)"],
  ["no account", '{"account":null,"user":{"email":"e"}}', "account must be an object (got null)"],
  [
    "id 2^64",
    '{"account":{"id":18446744073709551616,"name":"A"},"user":{"email":"e"}}',
    "account.id must be a string (got a number)",
  ],
  [
    "id 10^400",
    '{"account":{"id":1e400,"name":"A"},"user":{"email":"e"}}',
    "account.id must be a string (got a number)",
  ],
  [
    "id an object",
    '{"account":{"id":{"a":1},"name":"A"},"user":{"email":"e"}}',
    "account.id must be a string (got an object)",
  ],
  [
    "name an object",
    '{"account":{"id":"i","name":{"x":"y"}},"user":{"email":"e"}}',
    "account.name must be a string (got an object)",
  ],
  [
    "email a number",
    '{"account":{"id":"i","name":"A"},"user":{"email":5}}',
    "user.email must be a string (got a number)",
  ],
  [
    "id with an escape",
    '{"account":{"id":"i\\u001b[2J","name":"A"},"user":{"email":"e"}}',
    "account.id must not contain control or invisible format characters",
  ],
  [
    "id with a right-to-left override",
    '{"account":{"id":"acc-\\u202ertl","name":"A"},"user":{"email":"e"}}',
    "account.id must not contain control or invisible format characters",
  ],
  [
    "id with a zero-width joiner",
    '{"account":{"id":"a\\u200db","name":"A"},"user":{"email":"e"}}',
    "account.id must not contain control or invisible format characters",
  ],
  [
    "huge name",
    `{"account":{"id":"i","name":"${"n".repeat(300)}"},"user":{"email":"e"}}`,
    "account.name must be at most 256 characters (got 300)",
  ],
];

Deno.test("control: every wrongly shaped answer is an error naming host, request and field", async () => {
  let body = "";
  const server = startAblyServer({ all: () => ({ status: 200, body }) });
  try {
    const client = controlClient(server.host, TOKEN);
    for (const [what, answer, field] of BAD_ME) {
      body = answer;
      const error = await client.me().catch((e) => e);
      assert.ok(error instanceof ControlApiError, `${what}: ${error}`);
      assert.equal(
        error.message,
        `Unexpected answer from the Control API at ${server.host}: GET /me: ${field}; nothing was stored from it`,
        what,
      );
    }
    const lists: [string, () => Promise<unknown>, string, string][] = [
      [
        "accounts",
        () => client.accounts(),
        '{"id":"i"}',
        "GET /me/accounts: the body must be an array (got an object)",
      ],
      [
        "create",
        () => client.createApp("a", "n"),
        "[]",
        "POST /accounts/a/apps: the body must be an object (got an array)",
      ],
    ];
    for (const [what, call, answer, message] of lists) {
      body = answer;
      const error = await call().catch((e) => e);
      assert.ok(error instanceof ControlApiError, `${what}: ${error}`);
      assert.match(error.message, new RegExp(`at ${server.host}: ${RegExp.escape(message)}`), what);
    }
    // An empty body is said as such.
    body = "";
    assert.equal(
      (await client.me().catch((e) => e)).message,
      `API request failed: GET /me at ${server.host} answered HTTP 200 with an empty body`,
    );
    // An empty email is an answer (a user without one), not a shape error.
    body = '{"account":{"id":"i","name":"A"},"user":{"email":""}}';
    assert.deepEqual(await client.me(), { account: { id: "i", name: "A" }, user: { email: "" } });
    // A key with a control character is refused (it would be stored and sent), not cleaned.
    body = '[{"id":"k1","name":"Root","key":"app.k1:se\\u0007cret"}]';
    const keys = await client.keys("app").catch((e) => e);
    assert.ok(
      keys instanceof ControlApiError || (Array.isArray(keys) && keys.length === 0),
      `a key with a control character came back as ${JSON.stringify(keys)}`,
    );
    // Names meant for people are cleaned, not refused.
    body = '{"account":{"id":"i","name":"A\\u001b]0;t\\u0007B"},"user":{"email":"e"}}';
    assert.deepEqual(await client.me(), {
      account: { id: "i", name: "A ]0;t B" },
      user: { email: "e" },
    });
    // Bidirectional overrides and other hidden characters too; a joiner (emoji) stays.
    body =
      '{"account":{"id":"i","name":"Admin\\u202egnp.exe\\u2066x\\u200bq \\ud83d\\udc69\\u200d\\ud83d\\udcbb"},"user":{"email":"e"}}';
    assert.deepEqual(await client.me(), {
      account: { id: "i", name: "Admin gnp.exe x q \u{1F469}\u200d\u{1F4BB}" },
      user: { email: "e" },
    });
  } finally {
    await server.close();
  }
});

Deno.test("control: an odd entry in a list is skipped and named, never fatal, never shown", async () => {
  let body = "";
  const server = startAblyServer({ all: () => ({ status: 200, body }) });
  try {
    const skipped: string[] = [];
    const client = controlClient(server.host, TOKEN, { skipped: (m) => skipped.push(m) });
    const cases: [string, () => Promise<unknown>, string, unknown[], string[]][] = [
      [
        "accounts",
        () => client.accounts(),
        `[{"id":"i","name":"A"},{"id":"i","name":7},{"id":"x\\u0001SECRETISH","name":"B"},` +
        `{"id":"${"n".repeat(300)}","name":"C"},{"id":"j","name":"J"}]`,
        [{ id: "i", name: "A" }, { id: "j", name: "J" }],
        [
          "GET /me/accounts): [1].name must be a string (got a number).",
          "GET /me/accounts): [2].id must not contain control or invisible format characters.",
          "GET /me/accounts): [3].id must be at most 256 characters (got 300).",
        ],
      ],
      [
        "apps",
        () => client.apps("a"),
        '[{"id":"x","name":"n"},{"id":null}]',
        [{ id: "x", name: "n" }],
        ["GET /accounts/a/apps): [1].id must be a string (got null)."],
      ],
      [
        "keys",
        () => client.keys("k"),
        '[{"id":"k","key":{"v":1}}]',
        [],
        ["GET /apps/k/keys): [0].key must be a string (got an object)."],
      ],
    ];
    for (const [what, call, answer, expected, said] of cases) {
      body = answer;
      skipped.length = 0;
      assert.deepEqual(await call(), expected, what);
      assert.deepEqual(
        skipped,
        said.map((m) => `Skipped an entry the Control API at ${server.host} listed (${m}`),
        what,
      );
      assert.ok(!skipped.join().includes("SECRETISH"));
    }
  } finally {
    await server.close();
  }
});

Deno.test("control: a list of 50,000 accounts (over 1 MiB) is read in full", async () => {
  const accounts = Array.from({ length: 50_000 }, (_, i) => ({
    id: `account-id-${i}`,
    name: `A reasonably long account name number ${i}`,
  }));
  const body = JSON.stringify(accounts);
  assert.ok(body.length > 1024 * 1024);
  await withAblyServer({ accounts: { status: 200, body } }, async (server) => {
    const listed = await controlClient(server.host, TOKEN).accounts();
    assert.equal(listed.length, 50_000);
    assert.deepEqual(listed[49_999], accounts[49_999]);
  });
});

Deno.test("control: a bad answer stores nothing; `current` still warns and shows the cached account", async () => {
  for (const [what, answer] of BAD_ME) {
    await withAblyServer({ me: { status: 200, body: answer } }, async (server) => {
      const dir = await tempConfigDir(SAMPLE_LEGACY);
      try {
        const login = await runCli(
          [
            "accounts",
            "login",
            "--token",
            "tok_abcdefgh12345678",
            "--alias",
            "fresh",
            ...hostFlags(server),
          ],
          { configDir: dir },
        );
        assert.equal(login.code, 1, `${what}: ${login.stderr}`);
        assert.match(
          unwrapped(login.stderr),
          new RegExp(
            RegExp.escape(`Unexpected answer from the Control API at ${server.host}: GET /me`),
          ),
          what,
        );
        assert.doesNotMatch(login.stderr, /Cannot read|is not a function|is not iterable/, what);
        assert.equal(await readConfigText(dir), SAMPLE_LEGACY, what);

        const current = await runCli(["accounts", "current", "--control-host", server.host], {
          configDir: dir,
        });
        assert.equal(current.code, 0, `${what}: ${current.stderr}`);
        assert.match(
          unwrapped(current.stderr),
          /Unable to verify account information: the Control API/,
          what,
        );
        assert.match(current.stdout, /Account \(cached\):/, what);
        assert.equal(await readConfigText(dir), SAMPLE_LEGACY, what);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});

Deno.test("control: account and app IDs are percent-encoded in request paths (a slash, space, ? or # stays inside its segment)", async () => {
  const paths: string[] = [];
  const fake: typeof fetch = (input, init) => {
    paths.push(`${init?.method} ${new URL(String(input)).pathname}`);
    return Promise.resolve(Response.json(init?.method === "POST" ? { id: "n", name: "n" } : []));
  };
  const client = controlClient("control.ably.net", TOKEN, { fetch: fake });
  await client.apps("acc/1 x?y#z");
  await client.createApp("acc/1 x?y#z", "New");
  await client.keys("app/2 x?y#z");
  assert.deepEqual(paths, [
    "GET /v1/accounts/acc%2F1%20x%3Fy%23z/apps",
    "POST /v1/accounts/acc%2F1%20x%3Fy%23z/apps",
    "GET /v1/apps/app%2F2%20x%3Fy%23z/keys",
  ]);
});

Deno.test("control: an API without the account listing (404 on /me/accounts) -> the user's own account from /me; any other failure is an error, with no fallback", async () => {
  await withAblyServer(
    { accounts: { status: 404, body: { message: "Not found" } } },
    async (server) => {
      assert.deepEqual(await controlClient(server.host, TOKEN).accounts(), [
        { id: "VgQpOZ", name: "Test Account" },
      ]);
      assert.deepEqual(server.requests.map((r) => r.path), ["/api/v1/me/accounts", "/api/v1/me"]);
    },
  );
  await withAblyServer({ accounts: { status: 500, body: { message: "boom" } } }, async (server) => {
    const error = await controlClient(server.host, TOKEN).accounts().catch((e) => e);
    assert.ok(error instanceof ControlApiError, String(error));
    assert.equal(error.statusCode, 500);
    assert.deepEqual(server.requests.map((r) => r.path), ["/api/v1/me/accounts"]);
  });
});
