/**
 * Revoking what an update removed and saying which tokens are dead
 * (src/accounts/revocation.ts), driven directly with a stub fetch and a capturing reporter.
 */
import assert from "node:assert/strict";
import type { RemovedSession } from "../../src/config/removed.ts";
import { SavedNothing } from "../../src/config/store.ts";
import { captureReporter } from "../helpers/reporter.ts";
import {
  type Attempts,
  revokedButUnsaved,
  revokeRemoved,
  warnUnrevokedTokens,
} from "../../src/accounts/revocation.ts";

function reporter() {
  const { out, stderr } = captureReporter();
  return { out, stderr };
}

Deno.test("revokeRemoved: a removed session with no tokens (unreadable) is not attempted; only the other session's tokens are sent, and its failure is named without aliases", async () => {
  const { out, stderr } = reporter();
  const sent: string[] = [];
  const removed: RemovedSession[] = [
    {
      sessionKey: "u@example.com::127.0.0.1:1",
      host: "127.0.0.1:1",
      aliases: ["u"],
      unreadable: "locked",
    },
    {
      sessionKey: "r@example.com::127.0.0.1:1",
      host: "127.0.0.1:1",
      aliases: ["r"],
      accessToken: "at_r",
    },
  ];
  const attempts = await revokeRemoved(
    {
      out,
      settings: { oauthTimeoutMs: 5_000 },
      signal: new AbortController().signal,
      fetch: async (_input, init) => {
        sent.push(new URLSearchParams(String(init?.body)).get("token") ?? "");
        return await Promise.resolve(new Response("down", { status: 503 }));
      },
    },
    removed,
  );
  assert.deepEqual(sent, ["at_r"]);
  assert.deepEqual([...attempts.keys()], ["r@example.com::127.0.0.1:1"]);
  warnUnrevokedTokens(out, removed, attempts);
  assert.equal(stderr.length, 1);
  assert.match(
    stderr[0],
    /^⚠ Could not revoke the access token at 127\.0\.0\.1:1 \(the server answered 503: down\): it stays valid until it expires; end it sooner by revoking the Ably CLI's access in the Ably dashboard\.$/,
  );
});

Deno.test("revokedButUnsaved: only tokens whose revocation succeeded are named as already revoked", () => {
  const removed: RemovedSession[] = [
    { sessionKey: "k", host: "127.0.0.1:1", aliases: ["a"], accessToken: "x", refreshToken: "y" },
  ];
  const attempts: Attempts = new Map([
    ["k", { access: { status: "revoked" }, refresh: { status: "failed", reason: "HTTP 503" } }],
  ]);
  const error = revokedButUnsaved(
    new SavedNothing(new Error("Cannot replace the config."), undefined, removed),
    removed,
    attempts,
  );
  assert.match(error.message, /these tokens were already revoked: access token\. /);
  assert.doesNotMatch(error.message, /refresh token/);
});

Deno.test("revokeRemoved: a session holding only a refresh token is revoked (its refresh token sent, nothing else)", async () => {
  const { out, stderr } = reporter();
  const sent: string[] = [];
  const attempts = await revokeRemoved(
    {
      out,
      settings: { oauthTimeoutMs: 5_000 },
      signal: new AbortController().signal,
      fetch: (_input, init) => {
        sent.push(new URLSearchParams(String(init?.body)).get("token") ?? "");
        return Promise.resolve(new Response("", { status: 200 }));
      },
    },
    [{ sessionKey: "k", host: "127.0.0.1:1", aliases: ["a"], refreshToken: "rt_only" }],
  );
  assert.deepEqual(sent, ["rt_only"]);
  assert.deepEqual(attempts.get("k")?.refresh, { status: "revoked" });
  assert.equal(attempts.get("k")?.access, undefined);
  assert.deepEqual(stderr, []);
});

Deno.test("revokedButUnsaved: tokens never sent (no attempt for them, or none for their session) are not named as revoked", () => {
  const removed: RemovedSession[] = [
    { sessionKey: "k", host: "127.0.0.1:1", aliases: ["a"], accessToken: "x", refreshToken: "y" },
    { sessionKey: "j", host: "127.0.0.1:1", aliases: ["b"], accessToken: "z", refreshToken: "w" },
  ];
  const failure = new SavedNothing(new Error("Cannot replace the config."), undefined, removed);
  // Only k's access token was sent (and revoked); k's refresh token and all of j's were not.
  const attempts: Attempts = new Map([["k", { access: { status: "revoked" } }]]);
  const error = revokedButUnsaved(failure, removed, attempts);
  assert.match(error.message, /these tokens were already revoked: access token of a\. /);
  assert.doesNotMatch(error.message, /refresh token|of b/);
  // Nothing sent at all: none.
  const none = revokedButUnsaved(failure, removed, new Map());
  assert.match(none.message, /these tokens were already revoked: none\. /);
});

Deno.test("revokeRemoved on a terminal: the spinner turns while the issuer answers and is stopped when the answers are in, before anything else is said", async () => {
  const raw: string[] = [];
  const { out } = captureReporter({ animate: true, stderrRaw: (text) => void raw.push(text) });
  const removed: RemovedSession[] = [{
    sessionKey: "r@example.com::127.0.0.1:1",
    host: "127.0.0.1:1",
    aliases: ["r"],
    accessToken: "at_r",
  }];
  await revokeRemoved({
    out,
    settings: { oauthTimeoutMs: 5_000 },
    signal: new AbortController().signal,
    fetch: async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return new Response(null, { status: 200 });
    },
  }, removed);
  assert.match(raw[0], /^\r⠋ Revoking OAuth tokens$/);
  assert.equal(raw.at(-1), "\r\x1b[K");
  const drawn = raw.length;
  // Stopped, not just cleared: no frame is drawn after it.
  await new Promise((resolve) => setTimeout(resolve, 250));
  assert.equal(raw.length, drawn);
});

Deno.test("warnUnrevokedTokens: the warning names the tokens that failed (access, refresh, or both) and nothing for a session that was revoked", () => {
  const session: RemovedSession = {
    sessionKey: "s@example.com::127.0.0.1:1",
    host: "127.0.0.1:1",
    aliases: ["s"],
    accessToken: "at_s",
    refreshToken: "rt_s",
  };
  const failed = { status: "failed", reason: "the server answered 503" } as const;
  const revoked = { status: "revoked" } as const;
  const cases: [
    access: typeof failed | typeof revoked,
    refresh: typeof failed | typeof revoked,
    said: RegExp | undefined,
  ][] = [
    [
      failed,
      revoked,
      /^⚠ Could not revoke the access token at 127\.0\.0\.1:1 \(.*\): it stays valid until it expires; end it sooner/,
    ],
    [
      revoked,
      failed,
      /^⚠ Could not revoke the refresh token at 127\.0\.0\.1:1 \(.*\): it stays valid/,
    ],
    [
      failed,
      failed,
      /^⚠ Could not revoke the access and refresh tokens at 127\.0\.0\.1:1 \(the server answered 503\): they stay valid until they expire; end them sooner/,
    ],
    [revoked, revoked, undefined],
  ];
  for (const [access, refresh, said] of cases) {
    const { out, stderr } = reporter();
    const attempts: Attempts = new Map([[session.sessionKey, { access, refresh }]]);
    warnUnrevokedTokens(out, [session], attempts);
    if (said === undefined) assert.deepEqual(stderr, []);
    else {
      assert.equal(stderr.length, 1);
      assert.match(stderr[0], said);
    }
  }
});
