/**
 * Tokens in the OS keychain, in process on a fake keychain: login (--keychain and the
 * ABLY_CLI_CREDENTIAL_STORE preference), a refresh in `current`, logout and --all,
 * moving both ways, a missing item, a locked or absent keychain.
 */
import { failRenamesInto } from "../../helpers/faults.ts";
import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/toml.ts";
import { actingAt, hostFlags, ISSUED, withAblyServer } from "../../helpers/ably-server.ts";
import { readConfigText, resultOf, runCli, tempConfigDir, unwrapped } from "../../helpers/cli.ts";
import { FakeKeychain, oldName, sameItem } from "../../helpers/fake-keychain.ts";
import {
  accessTokenOf,
  buildConfig,
  refreshTokenOf,
  SAMPLE_LEGACY,
  SAMPLE_OAUTH,
  SAMPLE_SHARED,
  SECRET_MARKER,
} from "../../helpers/fixtures.ts";

const EMAIL = "jane@acme.example";
const MARKER = 'credentialStore = "keychain"';

const NS = "0123456789ab";

/**
 * A config whose sessions are in `keychain`, as a keychain login left it before API keys
 * followed; with `namespace`, under names in that namespace (else as before namespaces).
 */
function inKeychain(
  config: string,
  keychain: FakeKeychain,
  only?: string[],
  namespace?: string,
): string {
  const parsed = parseConfig(config, "config");
  let text = namespace ? `credentialNamespace = "${namespace}"\n\n${config}` : config;
  for (const [key, session] of Object.entries(parsed.oauthSessions ?? {})) {
    if (only && !only.includes(key)) continue;
    keychain.items.set(
      namespace ? `cfg-${namespace}:session:${key}` : key,
      JSON.stringify({ accessToken: session.accessToken, refreshToken: session.refreshToken }),
    );
    text = text.replace(`accessToken = "${session.accessToken}"\n`, "")
      .replace(`refreshToken = "${session.refreshToken}"\n`, `${MARKER}\n`);
  }
  return text;
}

function assertNoTokenIn(text: string) {
  assert.ok(!text.includes(SECRET_MARKER), `token in the file:\n${text}`);
  for (const token of [ISSUED.access, ISSUED.refresh]) assert.ok(!text.includes(token));
}

Deno.test("keychain login --json: tokens in the keychain only; list, current and config show say so", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const dir = await tempConfigDir();
    const login = await runCli(
      ["accounts", "login", "--keychain", "--json", ...hostFlags(server)],
      {
        configDir: dir,
        keychain,
      },
    );
    assert.equal(login.code, 0, login.stderr);
    assert.equal(resultOf(login.records()).account.credentials, "keychain");
    const text = await readConfigText(dir);
    assertNoTokenIn(text);
    assert.ok(!text.includes("s3cr3t") && !text.includes("apiKey"), "no API key either");
    const key = `${EMAIL}::${server.host}`;
    assert.deepEqual(keychain.tokens(key), {
      accessToken: ISSUED.access,
      refreshToken: ISSUED.refresh,
    });
    const session = parseConfig(text, "config").oauthSessions![key];
    assert.equal(session.credentialStore, "keychain");
    assert.ok(Number(session.accessTokenExpiresAt) > Date.now());
    // Checked before the device flow: a probe item, written and deleted.
    assert.deepEqual(keychain.calls.slice(0, 2), [
      "set ably-cli-deno-probe",
      "delete ably-cli-deno-probe",
    ]);

    keychain.calls.length = 0;
    const list = await runCli(["accounts", "list", "--json"], { configDir: dir, keychain });
    assert.equal(resultOf(list.records()).accounts[0].credentials, "keychain");
    const human = await runCli(["accounts", "list"], { configDir: dir, keychain });
    assert.match(human.stdout, /Tokens: OS keychain/);
    assert.match(
      unwrapped(human.stderr),
      /The official Ably CLI cannot read the OS keychain: run eval "\$\(ably accounts env ALIAS\)" before it\./,
    );
    const show = await runCli(["config", "show"], { configDir: dir, keychain });
    assert.match(show.stdout, /Tokens and API keys in the OS keychain \(service ably-cli-deno\)/);
    // list looks for items no account uses (names only); neither reads a token.
    assert.deepEqual(
      keychain.calls,
      ["list", "list"],
      "list and config show never read the keychain",
    );

    keychain.calls.length = 0;
    const reveal = await runCli(["config", "show", "--reveal"], {
      configDir: dir,
      keychain,
      secrets: [],
    });
    assert.match(reveal.stdout, new RegExp(`${key}: accessToken = "${ISSUED.access}"`));
    // The app's API key is in the keychain too, one item for the app.
    assert.match(reveal.stdout, /key:test-account:aBcDeF: apiKey = "aBcDeF\.kEy123:s3cr3tS3cr3t"/);
    assert.deepEqual(keychain.touchedByOldName, [`get ${key}`, "get key:test-account:aBcDeF"]);

    const current = await runCli(["accounts", "current", "--json", ...hostFlags(server)], {
      configDir: dir,
      keychain,
    });
    assert.equal(current.code, 0, current.stderr);
    assert.equal(resultOf(current.records()).account.credentials, "keychain");
    assert.equal(server.to("/api/v1/me").at(-1)?.authorization, `Bearer ${ISSUED.access}`);
  });
});

Deno.test("keychain login: ABLY_CLI_CREDENTIAL_STORE=keychain is the default for every login; a bad value is a usage error", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const dir = await tempConfigDir();
    const env = { ABLY_CLI_CREDENTIAL_STORE: "keychain" };
    const run = await runCli(["login", "--json", ...hostFlags(server)], {
      configDir: dir,
      env,
      keychain,
    });
    assert.equal(run.code, 0, run.stderr);
    assertNoTokenIn(await readConfigText(dir));
    assert.ok(keychain.tokens(`${EMAIL}::${server.host}`));

    const bad = await runCli(["login", ...hostFlags(server)], {
      configDir: await tempConfigDir(),
      env: { ABLY_CLI_CREDENTIAL_STORE: "vault" },
    });
    assert.equal(bad.code, 2);
    // Every store this run knows (the tests register one of their own, "memory").
    assert.match(bad.stderr, /ABLY_CLI_CREDENTIAL_STORE must be "keychain", "memory" or "file"/);
  });
});

Deno.test("keychain login: no keychain -> a clear error before anything is asked or issued", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir();
    for (
      const keychain of [undefined, Object.assign(new FakeKeychain(), { state: "locked" as const })]
    ) {
      const run = await runCli(["accounts", "login", "--keychain", ...hostFlags(server)], {
        configDir: dir,
        keychain,
      });
      assert.equal(run.code, 1);
      assert.match(unwrapped(run.stderr), /Cannot use the OS keychain/);
      assert.match(unwrapped(run.stderr), keychain ? /Unlock your keyring/ : /Secret Service/);
      assert.match(unwrapped(run.stderr), /without --keychain/);
    }
    assert.equal(server.requests.length, 0);
    await assert.rejects(Deno.stat(`${dir}/config`));
  });
});

Deno.test("keychain login: the same user under a new alias revokes the session's old tokens, read from the item, once", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme");
    const dir = await tempConfigDir(inKeychain(config, keychain));
    const key = `${EMAIL}::${server.host}`;
    const run = await runCli(
      ["accounts", "login", "--alias", "second", "--keychain", "--json", ...hostFlags(server)],
      { configDir: dir, keychain },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      server.to("/oauth/revoke").map((r) => r.form.token).sort(),
      [accessTokenOf(EMAIL), refreshTokenOf(EMAIL)].sort(),
    );
    assert.deepEqual(keychain.tokens(key), {
      accessToken: ISSUED.access,
      refreshToken: ISSUED.refresh,
    });
    const accounts = parseConfig(await readConfigText(dir), "config").accounts!;
    assert.equal(accounts.acme.oauthSessionKey, key);
    assert.equal(accounts.second.oauthSessionKey, key);
  });
});

Deno.test("keychain current: an expired token is refreshed under the lock; the new pair goes to the keychain, never the file", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const config = buildConfig([
      { alias: "acme", issuer: server.host, email: EMAIL },
      { alias: "staging", issuer: server.host, email: EMAIL },
    ], "acme");
    const dir = await tempConfigDir(inKeychain(config, keychain));
    const key = `${EMAIL}::${server.host}`;
    const run = await runCli(["accounts", "current", "--json"], {
      configDir: dir,
      keychain,
      env: { ABLY_CONTROL_HOST: server.host },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(server.to("/oauth/token")[0].form.refresh_token, refreshTokenOf(EMAIL));
    assert.equal(server.to("/api/v1/me")[0].authorization, "Bearer refreshed_at_1_SeCrEt");
    assert.deepEqual(keychain.tokens(key), {
      accessToken: "refreshed_at_1_SeCrEt",
      refreshToken: "refreshed_rt_1_SeCrEt",
    });
    const text = await readConfigText(dir);
    assertNoTokenIn(text);
    const session = parseConfig(text, "config").oauthSessions![key];
    assert.ok(Number(session.accessTokenExpiresAt) > Date.now());
    assert.equal(session.credentialStore, "keychain");
    // Read, then re-read under the lock, then written under the config's new namespace
    // (looked up there first) and the item of old name carried over, then deleted.
    const namespace = parseConfig(text, "config").credentialNamespace;
    assert.match(String(namespace), /^[0-9a-f]{12}$/);
    const now = `cfg-${namespace}:session:${key}`;
    assert.deepEqual(keychain.touched, [
      `get ${key}`,
      `get ${key}`,
      `get ${now}`,
      `set ${now}`,
      `delete ${key}`,
    ]);
    assert.deepEqual([...keychain.items.keys()], [now]);
  });
});

Deno.test("keychain refresh: Ctrl-C while the keychain takes the new pair (the refresh token already spent) does not lose it: the update completes, the new expiry in the file, nothing revoked", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme");
    const key = `${EMAIL}::${server.host}`;
    const interrupt = new AbortController();
    // Ctrl-C while the OS keychain is written (a macOS access dialog can keep it a while).
    class AskingKeychain extends FakeKeychain {
      override set(item: string, secret: string) {
        if (sameItem(item, key)) interrupt.abort();
        return super.set(item, secret);
      }
    }
    const keychain = new AskingKeychain();
    const dir = await tempConfigDir(inKeychain(config, keychain));
    const run = await runCli(["accounts", "token"], {
      configDir: dir,
      keychain,
      interrupt,
      secrets: [accessTokenOf(EMAIL), refreshTokenOf(EMAIL)],
    });
    assert.equal(server.to("/oauth/token").length, 1);
    assert.ok(interrupt.signal.aborted, "Ctrl-C came after the refresh");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, "refreshed_at_1_SeCrEt\n");
    assert.deepEqual(keychain.tokens(key), {
      accessToken: "refreshed_at_1_SeCrEt",
      refreshToken: "refreshed_rt_1_SeCrEt",
    });
    const session = parseConfig(await readConfigText(dir), "config").oauthSessions![key];
    assert.ok(Number(session.accessTokenExpiresAt) > Date.now(), "the new expiry is saved");
    assert.deepEqual(server.revoked(), [], "the rotated pair is not revoked");
  });
});

/** A keychain that notes, at each delete, whether the config file on disk still names the item. */
class FileWatchingKeychain extends FakeKeychain {
  file = "";
  readonly namedAtDelete: [item: string, named: boolean][] = [];
  override delete(item: string): Promise<boolean> {
    if (item !== "ably-cli-deno-probe") {
      // By what the item holds (its session key), whichever name it has.
      this.namedAtDelete.push([item, Deno.readTextFileSync(this.file).includes(oldName(item))]);
    }
    return super.delete(item);
  }
}

Deno.test("keychain logout: tokens revoked from the keychain, then the item deleted after the file is written", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FileWatchingKeychain();
    const config = buildConfig([
      { alias: "acme", issuer: server.host, email: EMAIL },
      { alias: "solo", issuer: server.host, email: "solo@example.com" },
      { alias: "legacy" },
    ], "acme");
    const dir = await tempConfigDir(inKeychain(config, keychain));
    keychain.file = `${dir}/config`;
    const run = await runCli(["accounts", "logout", "--force", "--json"], {
      configDir: dir,
      keychain,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(resultOf(run.records()).account.revocation, {
      access: { status: "revoked" },
      refresh: { status: "revoked" },
    });
    assert.deepEqual(
      server.to("/oauth/revoke").map((r) => r.form.token).sort(),
      [accessTokenOf(EMAIL), refreshTokenOf(EMAIL)].sort(),
    );
    assert.equal(keychain.has(`${EMAIL}::${server.host}`), false);
    // The other session's item, carried over to the config's namespace by the same write.
    const solo = `solo@example.com::${server.host}`;
    assert.deepEqual(keychain.oldNames(), [solo]);
    const soloItem = keychain.nameOf(solo);
    assert.match(soloItem, /^cfg-[0-9a-f]{12}:session:/);
    // When the logged-out session's item went, the file on disk no longer named it; the
    // other's old item went once its new one held the tokens.
    assert.deepEqual(keychain.namedAtDelete, [[`${EMAIL}::${server.host}`, false], [solo, true]]);

    const all = await runCli(["accounts", "logout", "--all", "--force", "--json"], {
      configDir: dir,
      keychain,
    });
    assert.equal(all.code, 0, all.stderr);
    assert.equal(keychain.items.size, 0);
    // Its old name is deleted too, in case an item by that name is still there.
    assert.deepEqual(keychain.namedAtDelete.slice(2), [[soloItem, false], [solo, false]]);
    assert.equal(server.to("/oauth/revoke").length, 4);
    assert.equal(parseConfig(await readConfigText(dir), "config").oauthSessions, undefined);
  });
});

Deno.test("keychain logout: a rename that fails after revocation keeps the item (the file still names it)", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme");
    const dir = await tempConfigDir(inKeychain(config, keychain));
    const key = `${EMAIL}::${server.host}`;
    let swapped = false;
    let restore = () => {};
    const run = await runCli(["accounts", "logout", "--force"], {
      configDir: dir,
      keychain,
      // During revocation the disk starts failing renames.
      fetch: actingAt("/oauth/revoke", "before", () => {
        swapped = true;
        restore = failRenamesInto(dir);
      }),
    }).finally(() => restore());
    assert.ok(swapped, "revocation was attempted");
    assert.equal(run.code, 1, run.stderr);
    assert.match(unwrapped(run.stderr), /Failed to save Ably config/);
    assert.match(unwrapped(run.stderr), /already revoked/);
    assert.ok(keychain.has(key), "the item outlives a file that was not replaced");
    assert.ok(
      !keychain.touchedByOldName.includes(`delete ${key}`),
      keychain.touchedByOldName.join(),
    );
  });
});

Deno.test("accounts keychain: moves an account in and back; the file round-trips byte for byte", async () => {
  const keychain = new FakeKeychain();
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const key = "jane@acme.example::ably.com";
  const into = await runCli(["accounts", "keychain", "--json"], { configDir: dir, keychain });
  assert.equal(into.code, 0, into.stderr);
  assert.deepEqual(resultOf(into.records()).accounts, [
    { alias: "acme-ltd", credentials: "keychain", status: "moved" },
  ]);
  const moved = await readConfigText(dir);
  assert.ok(!moved.includes("ably_oat_") && !moved.includes("ably_ort_"), moved);
  assert.match(moved, new RegExp(MARKER));
  assert.deepEqual(keychain.tokens(key), {
    accessToken: "ably_oat_3f9c0d2e7b1a4c58",
    refreshToken: "ably_ort_91b2c7d4e5f60718",
  });

  const again = await runCli(["accounts", "keychain", "acme-ltd"], { configDir: dir, keychain });
  assert.match(again.stdout, /already in the OS keychain/);

  const back = await runCli(["accounts", "keychain", "--all", "--to-file"], {
    configDir: dir,
    keychain,
  });
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stderr + back.stdout, /back to the config file/);
  assert.equal(await readConfigText(dir), SAMPLE_OAUTH);
  assert.equal(keychain.items.size, 0);
});

Deno.test("accounts keychain: a legacy token moves too (item account:<alias>)", async () => {
  const keychain = new FakeKeychain();
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const into = await runCli(["accounts", "keychain", "default"], { configDir: dir, keychain });
  assert.equal(into.code, 0, into.stderr);
  assert.ok(!(await readConfigText(dir)).includes("ably_legacy_token_5b7d2c9e"));
  assert.deepEqual(keychain.tokens("account:default"), {
    accessToken: "ably_legacy_token_5b7d2c9e",
  });
  const back = await runCli(["accounts", "keychain", "default", "--to-file"], {
    configDir: dir,
    keychain,
  });
  assert.equal(back.code, 0, back.stderr);
  assert.equal(await readConfigText(dir), SAMPLE_LEGACY);
});

Deno.test("accounts keychain: a refused write changes nothing (tokens stay in the file)", async () => {
  const keychain = new FakeKeychain();
  keychain.failSetOf = "jane@acme.example::ably.com";
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const run = await runCli(["accounts", "keychain"], { configDir: dir, keychain });
  assert.equal(run.code, 1);
  assert.match(
    unwrapped(run.stderr),
    /Cannot store the tokens of account "acme-ltd" in the OS keychain; the config was not changed/,
  );
  assert.match(unwrapped(run.stderr), /Allow ably to use the keychain item/);
  assert.equal(await readConfigText(dir), SAMPLE_OAUTH);
});

Deno.test("keychain: a missing item names the account and the fix; logout still works", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme");
    const dir = await tempConfigDir(inKeychain(config, keychain));
    keychain.items.clear(); // deleted by hand
    const current = await runCli(["accounts", "current"], {
      configDir: dir,
      keychain,
      env: { ABLY_CONTROL_HOST: server.host },
    });
    assert.match(unwrapped(current.stderr), /The OS keychain has no item for account "acme"/);
    assert.match(unwrapped(current.stderr), /ably accounts login --alias acme --keychain/);
    assert.equal(server.to("/api/v1/me").length, 0);

    const back = await runCli(["accounts", "keychain", "--to-file"], { configDir: dir, keychain });
    assert.equal(back.code, 1);
    assert.match(unwrapped(back.stderr), /nothing to move/);

    const logout = await runCli(["accounts", "logout", "--force"], { configDir: dir, keychain });
    assert.equal(logout.code, 0, logout.stderr);
    assert.equal(parseConfig(await readConfigText(dir), "config").accounts?.acme, undefined);
  });
});

Deno.test("keychain: locked or absent keychain -> a clear error naming the account, nothing changed", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme");
    const text = inKeychain(config, keychain);
    const dir = await tempConfigDir(text);
    keychain.state = "locked";
    const current = await runCli(["accounts", "current"], {
      configDir: dir,
      keychain,
      env: { ABLY_CONTROL_HOST: server.host },
    });
    // Said once, without nesting: the problem in brackets, the fix on the next line.
    assert.match(
      unwrapped(current.stderr),
      /^⚠ Unable to verify account information: its tokens could not be read from the OS keychain \(locked: Couldn't access platform storage: Secret Service: unlock prompt was dismissed\)\.\n$/,
    );
    // The cached-details fallback names the keychain's fix, never a new login.
    assert.doesNotMatch(current.stdout + current.stderr, /log(ging)? in again/i);
    assert.match(
      unwrapped(current.stdout),
      /Unlock your keyring [^\n]* and try again\. The tokens in the OS keychain are fine: no new login is needed\./,
    );
    const logout = await runCli(["accounts", "logout", "--force"], { configDir: dir, keychain });
    assert.equal(logout.code, 1);
    assert.match(unwrapped(logout.stderr), /Cannot read the tokens of account "acme"/);
    assert.match(
      unwrapped(logout.stderr),
      /stay valid until they expire\. To do that, add --skip-revoke/,
    );
    const none = await runCli(["accounts", "logout", "--force"], { configDir: dir });
    assert.equal(none.code, 1);
    assert.match(unwrapped(none.stderr), /unavailable/);
    assert.equal(await readConfigText(dir), text);
    assert.equal(server.requests.length, 0);
  });
});

Deno.test("keychain logout: an account whose keychain cannot be read can always be removed (asked on a terminal, --skip-revoke without one), unrevoked and said so", async () => {
  await withAblyServer({}, async (server) => {
    for (const way of ["flag", "asked yes", "asked no"] as const) {
      const keychain = new FakeKeychain();
      const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme");
      const text = inKeychain(config, keychain);
      const dir = await tempConfigDir(text);
      keychain.state = "locked";
      const run = await runCli(
        ["accounts", "logout", "--force", ...(way === "flag" ? ["--skip-revoke"] : [])],
        {
          configDir: dir,
          keychain,
          ...(way === "flag" ? {} : { replies: [way === "asked yes" ? "yes" : "no"] }),
        },
      );
      assert.equal(run.code, 0, `${way}: ${run.stderr}`);
      if (way === "asked no") {
        assert.match(run.stderr, /Logout cancelled\./);
        assert.equal(await readConfigText(dir), text, way);
        continue;
      }
      assert.match(
        unwrapped(run.stderr),
        /Tokens not revoked: the OS keychain could not give them/,
        `${way}: ${run.stderr}`,
      );
      const after = await readConfigText(dir);
      assert.doesNotMatch(after, /\[accounts\.acme\]/, way);
      assert.doesNotMatch(after, /oauthSessions/, way);
    }
    assert.equal(server.to("/oauth/revoke").length, 0);
  });
});

Deno.test("keychain logout: a keychain unlocked while the user is asked: the account is removed and its item deleted, with no warning", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme");
    const dir = await tempConfigDir(inKeychain(config, keychain));
    assert.equal(keychain.items.size, 1);
    keychain.state = "locked";
    const run = await runCli(["accounts", "logout", "--force"], {
      configDir: dir,
      keychain,
      // The user unlocks the keychain, then says yes.
      replies: [() => (keychain.state = "ok", Promise.resolve("yes"))],
    });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(await readConfigText(dir), /\[accounts\.acme\]/);
    assert.equal(keychain.items.size, 0, `${[...keychain.items.keys()]}`);
    assert.doesNotMatch(run.stderr, /Could not delete|could not be deleted/i);
  });
});

Deno.test("keychain: a locked keychain for one account never blocks another, file account", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const file = { alias: "a", id: "Aaaaa1" };
    const inside = { alias: "b", id: "Bbbbb1", issuer: server.host, email: EMAIL };
    const dir = await tempConfigDir(inKeychain(buildConfig([file, inside], "b"), keychain));
    keychain.state = "locked";
    const switched = await runCli(["accounts", "switch", "a", "--control-host", server.host], {
      configDir: dir,
      keychain,
    });
    assert.equal(switched.code, 0, switched.stderr);
    const loggedOut = await runCli(["accounts", "logout", "a", "--force", "--json"], {
      configDir: dir,
      keychain,
    });
    assert.equal(loggedOut.code, 0, loggedOut.stdout);
    assert.deepEqual(keychain.touchedByOldName, []);
    assert.deepEqual(Object.keys(parseConfig(await readConfigText(dir), "config").accounts!), [
      "b",
    ]);
  });
});

Deno.test("keychain login: a keychain some account uses is checked before the device flow, with or without --keychain; the advice fits the login", async () => {
  await withAblyServer({}, async (server) => {
    const cases = [
      { name: "no --keychain, --alias of another", args: ["--alias", "other"], asked: false },
      { name: "no --keychain, no --alias", args: [], asked: false },
      { name: "--keychain", args: ["--alias", "other", "--keychain"], asked: true },
      {
        name: "ABLY_CLI_CREDENTIAL_STORE=keychain",
        args: ["--alias", "other"],
        env: { ABLY_CLI_CREDENTIAL_STORE: "keychain" },
        asked: true,
      },
    ];
    for (const { name, args, env, asked } of cases) {
      const keychain = new FakeKeychain();
      const config = buildConfig([
        { alias: "dave2", issuer: server.host, email: EMAIL },
        { alias: "filed", id: "Fffff1" },
      ], "dave2");
      const text = inKeychain(config, keychain);
      const dir = await tempConfigDir(text);
      keychain.state = "locked";
      const run = await runCli(["accounts", "login", ...args, ...hostFlags(server)], {
        configDir: dir,
        keychain,
        env,
      });
      const said = unwrapped(run.stderr);
      assert.equal(run.code, 1, `${name}: ${run.stderr}`);
      assert.match(said, /Cannot use the OS keychain \(locked/, name);
      assert.match(said, /Unlock your keyring/, name);
      // The advice names what asked for the keychain: the flag, or the variable.
      if (asked) {
        const how = env
          ? /or log in without ABLY_CLI_CREDENTIAL_STORE=keychain/
          : /or log in without --keychain to keep/;
        assert.match(said, how, name);
      } else {
        assert.match(said, /holds the tokens of account "dave2"/, name);
        assert.doesNotMatch(said, /without --keychain|log in again/, name);
      }
      assert.equal(server.requests.length, 0, `${name}: nothing issued`);
      assert.equal(await readConfigText(dir), text, name);
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("keychain login: a file-only config never checks the keychain (a login without --keychain works without one)", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = Object.assign(new FakeKeychain(), { state: "locked" as const });
    const dir = await tempConfigDir(buildConfig([{ alias: "filed", id: "Fffff1" }], "filed"));
    const run = await runCli(["accounts", "login", "--alias", "other", ...hostFlags(server)], {
      configDir: dir,
      keychain,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(keychain.calls, []);
    await Deno.remove(dir, { recursive: true });
  });
});

Deno.test("keychain logout --all: accounts whose keychain tokens cannot be read are kept and reported one by one, the others removed (exit 1); --skip-revoke removes all", async () => {
  await withAblyServer({}, async (server) => {
    const ways = [
      { name: "json", args: ["--force", "--json"], replies: undefined },
      { name: "terminal", args: [], replies: ["yes" as const] },
      { name: "--skip-revoke", args: ["--force", "--skip-revoke"], replies: undefined },
    ];
    for (const { name, args, replies } of ways) {
      const keychain = new FakeKeychain();
      const config = buildConfig([
        { alias: "filed", issuer: server.host, email: "filed@example.com" },
        { alias: "dave2", issuer: server.host, email: EMAIL },
        { alias: "dave3", issuer: server.host, email: EMAIL },
        { alias: "legacy" },
      ], "dave2");
      const dir = await tempConfigDir(
        inKeychain(config, keychain, [`${EMAIL}::${server.host}`]),
      );
      keychain.state = "locked";
      const revokesBefore = server.to("/oauth/revoke").length;
      const run = await runCli(["accounts", "logout", "--all", ...args], {
        configDir: dir,
        keychain,
        replies,
      });
      const after = parseConfig(await readConfigText(dir), "config");
      const revoked = server.to("/oauth/revoke").slice(revokesBefore).map((r) => r.form.token);
      assert.deepEqual(
        revoked.sort(),
        [accessTokenOf("filed@example.com"), refreshTokenOf("filed@example.com")].sort(),
        name,
      );
      if (name === "--skip-revoke") {
        assert.equal(run.code, 0, `${name}: ${run.stderr}`);
        assert.deepEqual(Object.keys(after.accounts ?? {}), [], name);
        assert.match(
          unwrapped(run.stderr),
          /Tokens not revoked: the OS keychain could not give them/,
        );
        await Deno.remove(dir, { recursive: true });
        continue;
      }
      assert.equal(run.code, 1, `${name}: ${run.stderr}`);
      assert.deepEqual(Object.keys(after.accounts ?? {}), ["dave2", "dave3"], name);
      assert.equal(after.oauthSessions?.[`${EMAIL}::${server.host}`]?.credentialStore, "keychain");
      assert.deepEqual(Object.keys(after.oauthSessions ?? {}), [`${EMAIL}::${server.host}`]);
      if (name === "json") {
        const records = run.records();
        const result = resultOf(records);
        assert.deepEqual(result.accounts.map((a: { alias: string }) => a.alias), [
          "filed",
          "legacy",
        ]);
        assert.deepEqual(result.remainingAccounts, ["dave2", "dave3"]);
        assert.deepEqual(
          result.keptAccounts.map((a: { alias: string }) => a.alias),
          ["dave2", "dave3"],
        );
        assert.match(result.keptAccounts[0].reason, /Unlock your keyring/);
        const error = records.find((r) => r.type === "error") as Record<string, unknown>;
        assert.deepEqual(error.kept, ["dave2", "dave3"]);
      } else {
        // On a terminal warnings wrap to its width: read them as one line.
        const said = unwrapped(run.stderr).replace(/ *\n +/g, " ");
        for (const alias of ["dave2", "dave3"]) {
          assert.match(
            said,
            new RegExp(
              `Account "${alias}" was kept: Cannot read the tokens of accounts "dave2", "dave3" from the OS keychain \\(locked: .*Unlock your keyring.*ably accounts logout ${alias}" again, or add --skip-revoke`,
            ),
            said,
          );
        }
        assert.match(said, /2 accounts were not logged out/);
        assert.match(said, /Successfully logged out from 2 accounts: filed, legacy/);
      }
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("keychain login on a shared session: the other aliases moving with it are said first, asked about on a terminal, and listed (movedWith)", async () => {
  await withAblyServer({}, async (server) => {
    const ways = [
      { name: "json", args: ["--json"], replies: undefined },
      { name: "terminal yes", args: [], replies: ["yes" as const] },
      { name: "terminal no", args: [], replies: ["no" as const] },
    ];
    for (const { name, args, replies } of ways) {
      const keychain = new FakeKeychain();
      const key = `${EMAIL}::${server.host}`;
      const text = buildConfig(
        [{ alias: "alpha-corp", issuer: server.host, email: EMAIL }],
        "alpha-corp",
      );
      const dir = await tempConfigDir(text);
      const revokesBefore = server.to("/oauth/revoke").length;
      const run = await runCli(
        ["accounts", "login", "--keychain", "--alias", "kc", ...args, ...hostFlags(server)],
        { configDir: dir, keychain, replies },
      );
      assert.equal(run.code, 0, `${name}: ${run.stderr}`);
      const revoked = server.to("/oauth/revoke").slice(revokesBefore).map((r) => r.form.token);
      if (name === "terminal no") {
        assert.deepEqual(run.questions, [
          'Move the tokens of "alpha-corp" into the OS keychain too?',
        ]);
        assert.match(
          run.stderr,
          /Login cancelled; the issued tokens were revoked and nothing was stored/,
        );
        assert.deepEqual(revoked.sort(), [ISSUED.access, ISSUED.refresh].sort());
        assert.equal(await readConfigText(dir), text);
        assert.equal(keychain.items.size, 0);
        await Deno.remove(dir, { recursive: true });
        continue;
      }
      // The shared session's old tokens were replaced (and revoked); the new ones are in the keychain.
      assert.deepEqual(revoked.sort(), [accessTokenOf(EMAIL), refreshTokenOf(EMAIL)].sort(), name);
      assert.deepEqual(keychain.tokens(key), {
        accessToken: ISSUED.access,
        refreshToken: ISSUED.refresh,
      });
      const after = await readConfigText(dir);
      assertNoTokenIn(after);
      assert.equal(parseConfig(after, "config").oauthSessions![key].credentialStore, "keychain");
      if (name === "json") {
        assert.deepEqual(resultOf(run.records()).account.movedWith, ["alpha-corp"]);
      } else {
        // Wrapped to the terminal's width: read as one line.
        const said = run.stderr.replace(/\s+/g, " ");
        assert.match(
          said,
          /shared with "alpha-corp": with --keychain its tokens move into the OS keychain/,
        );
        assert.match(said, /tokens of alpha-corp moved into the OS keychain too/);
      }
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("keychain login without --keychain into a keychain session: reported as keychain (the tokens went there)", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const config = buildConfig([{ alias: "dave2", issuer: server.host, email: EMAIL }], "dave2");
    const dir = await tempConfigDir(inKeychain(config, keychain));
    const run = await runCli([
      "accounts",
      "login",
      "--alias",
      "other",
      "--json",
      ...hostFlags(server),
    ], {
      configDir: dir,
      keychain,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(resultOf(run.records()).account.credentials, "keychain");
    assertNoTokenIn(await readConfigText(dir));
    await Deno.remove(dir, { recursive: true });
  });
});

Deno.test("accounts keychain on a shared session: said before, asked on a terminal, listed in JSON (movedWith)", async () => {
  for (const way of ["json", "terminal yes", "terminal no"] as const) {
    const keychain = new FakeKeychain();
    const dir = await tempConfigDir(SAMPLE_SHARED);
    const run = await runCli([
      "accounts",
      "keychain",
      "acme-ltd",
      ...(way === "json" ? ["--json"] : []),
    ], {
      configDir: dir,
      keychain,
      replies: way === "json" ? undefined : [way === "terminal yes" ? "yes" : "no"],
    });
    assert.equal(run.code, 0, `${way}: ${run.stderr}`);
    if (way === "terminal no") {
      assert.match(run.stderr, /Move cancelled/);
      assert.equal(await readConfigText(dir), SAMPLE_SHARED);
    } else if (way === "json") {
      assert.deepEqual(resultOf(run.records()).accounts, [
        {
          alias: "acme-ltd",
          credentials: "keychain",
          status: "moved",
          movedWith: ["acme-staging"],
        },
      ]);
    } else {
      assert.deepEqual(run.questions, [
        'Move the tokens of "acme-ltd" and "acme-staging" into the OS keychain?',
      ]);
      const said = run.stderr;
      assert.ok(
        said.indexOf('shared with "acme-staging": their tokens move into the OS keychain too') <
          said.indexOf("Moved the tokens and API keys of account acme-ltd"),
        said,
      );
    }
    if (way !== "terminal no") assert.ok(keychain.tokens("jane@acme.example::ably.com"));
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("accounts keychain --prune: this config's orphans only: a session item (as the official CLI's logout leaves it) revoked at its issuer exactly once, then deleted; a legacy token and an app key deleted with a note; other configs' and unclaimed items left", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const ours = (name: string) => `cfg-${NS}:${name}`;
    const orphan = ours(`session:${EMAIL}::${server.host}`);
    const tokens = { accessToken: accessTokenOf(EMAIL), refreshToken: refreshTokenOf(EMAIL) };
    // The official CLI logged "gone" out: its file entry is removed, the items are not.
    keychain.items.set(orphan, JSON.stringify(tokens));
    keychain.items.set(ours("token:old"), JSON.stringify({ accessToken: "legacy_old_SeCrEt" }));
    keychain.items.set(ours("key:gone:aBcDeF"), JSON.stringify({ apiKey: "aBcDeF.k:gone_SeCrEt" }));
    // Another config directory's item, and one named before namespaces: neither is ours.
    const theirs = `cfg-fedcba987654:session:${EMAIL}::${server.host}`;
    keychain.items.set(theirs, JSON.stringify(tokens));
    keychain.items.set("account:older", JSON.stringify({ accessToken: "older_SeCrEt" }));
    const kept = { alias: "kept", issuer: server.host, email: "kept@example.com" };
    const config = buildConfig([kept], "kept");
    const keptKey = `kept@example.com::${server.host}`;
    const dir = await tempConfigDir(inKeychain(config, keychain, undefined, NS));
    const orphans = [ours("key:gone:aBcDeF"), orphan, ours("token:old")];

    const list = await runCli(["accounts", "list", "--json"], { configDir: dir, keychain });
    assert.deepEqual(resultOf(list.records()).orphanedItems.keychain, orphans);
    const human = await runCli(["accounts", "list"], { configDir: dir, keychain });
    assert.match(
      human.stderr,
      /3 keychain items no account uses: run ably accounts keychain --prune/,
    );

    const no = await runCli(["accounts", "keychain", "--prune"], {
      configDir: dir,
      keychain,
      replies: ["no"],
    });
    assert.equal(no.code, 0, no.stderr);
    assert.match(no.stderr, new RegExp(`  ${orphan}\n`));
    assert.equal(keychain.items.size, 6);

    const run = await runCli(["accounts", "keychain", "--prune", "--force", "--json"], {
      configDir: dir,
      keychain,
      secrets: ["gone_SeCrEt", "legacy_old_SeCrEt"],
    });
    assert.equal(run.code, 0, run.stderr);
    const { items, otherConfigs, unclaimed } = resultOf(run.records());
    assert.deepEqual({ items, otherConfigs, unclaimed }, {
      items: [
        {
          item: ours("key:gone:aBcDeF"),
          revocation: { access: { status: "skipped", reason: "api-key" } },
          deleted: true,
        },
        {
          item: orphan,
          revocation: { access: { status: "revoked" }, refresh: { status: "revoked" } },
          deleted: true,
        },
        {
          item: ours("token:old"),
          revocation: { access: { status: "skipped", reason: "access-token" } },
          deleted: true,
        },
      ],
      otherConfigs: 1,
      unclaimed: ["account:older"],
    });
    assert.deepEqual(
      server.to("/oauth/revoke").map((r) => r.form.token).sort(),
      [tokens.accessToken, tokens.refreshToken].sort(),
    );
    assert.deepEqual(
      keychain.oldNames().sort(),
      ["account:older", keptKey, oldName(theirs)].sort(),
    );
    assert.ok(keychain.items.has(theirs));

    const again = await runCli(["accounts", "keychain", "--prune", "--force"], {
      configDir: dir,
      keychain,
    });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /No keychain items of this config to prune/);
    assert.match(
      unwrapped(again.stderr),
      /Left 1 keychain item of other config directories \(ABLY_CLI_CONFIG_DIR\): prune from there\.\nLeft 1 keychain item named before configs had their own names in the keychain; another config directory may still use it [^\n]*\n {2}account:older\nIf none does, delete it with your keychain tool/,
    );
    assert.equal(server.to("/oauth/revoke").length, 2);
    await Deno.remove(dir, { recursive: true });
  });
});

Deno.test("accounts keychain --prune: a failed revocation keeps the item (exit 1); a keychain that cannot list says so; a file-only list never opens the keychain", async () => {
  await withAblyServer({ revoke: { status: 503 } }, async (server) => {
    const keychain = new FakeKeychain({
      [`cfg-${NS}:session:${EMAIL}::${server.host}`]: JSON.stringify({
        accessToken: accessTokenOf(EMAIL),
      }),
    });
    // Its only keychain account was logged out by the official CLI, which keeps the namespace.
    const dir = await tempConfigDir(
      `credentialNamespace = "${NS}"\n\n${buildConfig([{ alias: "filed" }], "filed")}`,
    );
    const failed = await runCli(["accounts", "keychain", "--prune", "--force"], {
      configDir: dir,
      keychain,
    });
    assert.equal(failed.code, 1);
    assert.match(
      unwrapped(failed.stderr),
      /1 keychain item was kept because revoking its tokens failed/,
    );
    assert.equal(keychain.items.size, 1);

    const noList = {
      get: (item: string) => keychain.get(item),
      set: (item: string, secret: string) => keychain.set(item, secret),
      delete: (item: string) => keychain.delete(item),
    };
    const unsupported = await runCli(["accounts", "keychain", "--prune", "--force"], {
      configDir: dir,
      keychain: noList,
    });
    assert.equal(unsupported.code, 1);
    assert.match(unwrapped(unsupported.stderr), /cannot list its items/);

    keychain.calls.length = 0;
    const list = await runCli(["accounts", "list", "--json"], { configDir: dir, keychain });
    assert.equal(list.code, 0);
    assert.equal(resultOf(list.records()).orphanedItems, undefined);
    assert.deepEqual(keychain.calls, []);
    await Deno.remove(dir, { recursive: true });
  });
});

Deno.test("accounts keychain: flags that contradict each other are usage errors (exit 2); the keychain is never opened", async () => {
  const cases = [
    { args: ["acme-ltd", "--all"], error: "--all moves every account; do not name one as well." },
    ...[["--all"], ["--to-file"], ["acme-ltd"]].map((extra) => ({
      args: ["--prune", ...extra],
      error:
        "--prune works on keychain items no account uses; do not name an account, --all or --to-file.",
    })),
  ];
  for (const { args, error } of cases) {
    const keychain = new FakeKeychain();
    const dir = await tempConfigDir(SAMPLE_OAUTH);
    const run = await runCli(["accounts", "keychain", ...args, "--json"], {
      configDir: dir,
      keychain,
    });
    assert.equal(run.code, 2, args.join(" "));
    assert.equal(resultOf(run.records()).error.message, error);
    assert.deepEqual(keychain.calls, [], args.join(" "));
    assert.equal(await readConfigText(dir), SAMPLE_OAUTH);
  }
});

Deno.test("accounts keychain --all: no accounts -> exit 1 before the keychain is checked", async () => {
  const keychain = new FakeKeychain();
  const dir = await tempConfigDir("");
  const run = await runCli(["accounts", "keychain", "--all"], { configDir: dir, keychain });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /No accounts configured/);
  assert.deepEqual(keychain.calls, []);
});

Deno.test("accounts keychain --all (human): accounts without tokens are said to have none to move and stay in the file; a second run says where the tokens already are", async () => {
  const keychain = new FakeKeychain();
  const accounts = [
    "[accounts.tokenless]",
    'accountId = "NoTok1"',
    "",
    "[accounts.sessionless]",
    'accountId = "NoSes1"',
    'authMethod = "oauth"',
    'oauthSessionKey = "gone@acme.example::ably.com"',
    "",
    "[accounts.emptysession]",
    'accountId = "Empty1"',
    'authMethod = "oauth"',
    'oauthSessionKey = "empty@acme.example::ably.com"',
    "",
  ].join("\n");
  const session = '[oauthSessions."empty@acme.example::ably.com"]\noauthScope = "full_access"\n';
  // In the official layout (accounts, sessions, current), so the round trip is byte for byte.
  const config = SAMPLE_OAUTH.replace("[oauthSessions.", `${accounts}\n[oauthSessions.`)
    .replace("[current]", `${session}\n[current]`);
  const dir = await tempConfigDir(config);
  const into = await runCli(["accounts", "keychain", "--all", "--json"], {
    configDir: dir,
    keychain,
  });
  assert.equal(into.code, 0, into.stderr);
  assert.deepEqual(resultOf(into.records()).accounts, [
    { alias: "acme-ltd", credentials: "keychain", status: "moved" },
    { alias: "tokenless", credentials: "file", status: "no-credentials" },
    { alias: "sessionless", credentials: "file", status: "no-credentials" },
    { alias: "emptysession", credentials: "file", status: "no-credentials" },
  ]);
  // The tokens, and the API key of its one app (an item of its own).
  assert.deepEqual(keychain.oldNames(), ["jane@acme.example::ably.com", "key:acme-ltd:aBcDeF"]);

  const again = await runCli(["accounts", "keychain", "--all"], { configDir: dir, keychain });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(
    again.stdout,
    [
      "Account acme-ltd: tokens already in the OS keychain.",
      ...["tokenless", "sessionless", "emptysession"].map((a) =>
        `Account ${a}: no tokens to move.`
      ),
      "",
    ].join("\n"),
  );

  const back = await runCli(["accounts", "keychain", "--all", "--to-file"], {
    configDir: dir,
    keychain,
  });
  assert.equal(back.code, 0, back.stderr);
  assert.equal(await readConfigText(dir), config);
  const twice = await runCli(["accounts", "keychain", "acme-ltd", "--to-file"], {
    configDir: dir,
    keychain,
  });
  assert.equal(twice.stdout, "Account acme-ltd: tokens already in the config file.\n");
});

Deno.test("accounts keychain on a shared session: the account logged out elsewhere while the user was asked -> exit 1, nothing moved", async () => {
  const keychain = new FakeKeychain();
  const dir = await tempConfigDir(SAMPLE_SHARED);
  const withoutLtd = SAMPLE_SHARED.replace(
    /\[accounts\.acme-ltd\][^]*?(?=\[accounts\.acme-staging\])/,
    "",
  );
  const run = await runCli(["accounts", "keychain", "acme-ltd"], {
    configDir: dir,
    keychain,
    replies: [async () => {
      await Deno.writeTextFile(`${dir}/config`, withoutLtd);
      return "yes";
    }],
  });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Account "acme-ltd" is no longer configured\./);
  assert.equal(await readConfigText(dir), withoutLtd);
  assert.equal(keychain.tokens("jane@acme.example::ably.com"), undefined);
});

Deno.test("keychain logout --all: with every account kept (unreadable), a file session no account uses is still revoked and removed", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const orphan = `orphan@example.com::${server.host}`;
    const config = inKeychain(
      buildConfig([{ alias: "dave", issuer: server.host, email: EMAIL }], "dave"),
      keychain,
    ) +
      `[oauthSessions."${orphan}"]\naccessToken = "${accessTokenOf("orphan@example.com")}"\n` +
      `refreshToken = "${refreshTokenOf("orphan@example.com")}"\n`;
    const dir = await tempConfigDir(config);
    keychain.state = "locked";
    const run = await runCli(["accounts", "logout", "--all", "--force", "--json"], {
      configDir: dir,
      keychain,
    });
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(
      server.to("/oauth/revoke").map((r) => r.form.token).sort(),
      [accessTokenOf("orphan@example.com"), refreshTokenOf("orphan@example.com")].sort(),
    );
    const after = parseConfig(await readConfigText(dir), "config");
    assert.deepEqual(Object.keys(after.accounts ?? {}), ["dave"]);
    assert.deepEqual(Object.keys(after.oauthSessions ?? {}), [`${EMAIL}::${server.host}`]);
  });
});

Deno.test("keychain current: a token read from the keychain and echoed back by /me is shown redacted, @ and all", async () => {
  const echo = {
    me: (request: { authorization: string | null }) => ({
      status: 200,
      body: {
        account: { id: "VgQpOZ", name: `Echo ${request.authorization?.slice("Bearer ".length)}` },
        user: { email: EMAIL },
      },
    }),
  };
  await withAblyServer(echo, async (server) => {
    const keychain = new FakeKeychain();
    const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme")
      .replace("accessTokenExpiresAt = 1767225600000", "accessTokenExpiresAt = 4102444800000");
    const dir = await tempConfigDir(inKeychain(config, keychain));
    // The fixtures' token (`at_jane@acme.example_…`) holds an "@": only the keychain read
    // protects it, and only a lookup that is not word by word finds it.
    const run = await runCli(["accounts", "current", "--control-host", server.host], {
      configDir: dir,
      keychain,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(server.to("/api/v1/me")[0].authorization, `Bearer ${accessTokenOf(EMAIL)}`);
    assert.match(run.stdout, /Account: Echo \[redacted\] \(VgQpOZ\)/);
  });
});

Deno.test("keychain current: an item missing and a token that needs a refresh -> the missing-item warning is said once in the run, not again under the lock", async () => {
  await withAblyServer({}, async (server) => {
    const key = `${EMAIL}::${server.host}`;
    // Hand-edited: the session is marked as in the keychain, its (expired) pair still in the file,
    // and the item deleted outside ably: the token is read, found expired, and refreshed.
    const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme")
      .replace(
        `refreshToken = "${refreshTokenOf(EMAIL)}"\n`,
        `refreshToken = "${refreshTokenOf(EMAIL)}"\n${MARKER}\n`,
      );
    assert.ok(config.includes(MARKER));
    const keychain = new FakeKeychain();
    const dir = await tempConfigDir(config);
    const run = await runCli(["accounts", "current"], {
      configDir: dir,
      keychain,
      env: { ABLY_CONTROL_HOST: server.host },
    });
    assert.equal(run.code, 0, run.stderr);
    // The item was looked up twice (the read, then the re-read under the lock), then once
    // more under the namespace the write gives the config ...
    assert.deepEqual(keychain.touchedByOldName.filter((call) => call === `get ${key}`).length, 3);
    assert.equal(server.to("/oauth/token").length, 1);
    // ... and said to be missing once.
    assert.equal(
      unwrapped(run.stderr).match(/The OS keychain has no item for account "acme"/g)?.length,
      1,
      run.stderr,
    );
  });
});

Deno.test("keychain login: the same user under a new alias, the shared session already in the keychain -> no move said or asked, no movedWith", async () => {
  await withAblyServer({}, async (server) => {
    for (const terminal of [false, true]) {
      const keychain = new FakeKeychain();
      const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme");
      const dir = await tempConfigDir(inKeychain(config, keychain));
      const run = await runCli(
        [
          "accounts",
          "login",
          "--alias",
          "second",
          "--keychain",
          ...(terminal ? [] : ["--json"]),
          ...hostFlags(server),
        ],
        { configDir: dir, keychain, ...(terminal ? { replies: [] } : {}) },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.questions, []);
      assert.doesNotMatch(unwrapped(run.stderr), /is shared with|moved into the OS keychain too/);
      if (!terminal) assert.equal(resultOf(run.records()).account.movedWith, undefined);
      assert.deepEqual(keychain.tokens(`${EMAIL}::${server.host}`), {
        accessToken: ISSUED.access,
        refreshToken: ISSUED.refresh,
      });
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("accounts keychain: a locked keychain fails the probe first, named as such with its fix, before the shared-session question; nothing changed", async () => {
  for (const terminal of [false, true]) {
    const keychain = new FakeKeychain();
    keychain.state = "locked";
    const dir = await tempConfigDir(SAMPLE_SHARED);
    const run = await runCli(["accounts", "keychain", "acme-ltd"], {
      configDir: dir,
      keychain,
      ...(terminal ? { replies: [] } : {}),
    });
    assert.equal(run.code, 1);
    assert.deepEqual(run.questions, []);
    assert.match(
      unwrapped(run.stderr),
      /Cannot use the OS keychain \(locked: Couldn't access platform storage: Secret Service: unlock prompt was dismissed\)\. Unlock /,
    );
    assert.doesNotMatch(unwrapped(run.stderr), /Cannot store the tokens|is shared with/);
    assert.equal(await readConfigText(dir), SAMPLE_SHARED);
    assert.equal(keychain.items.size, 0);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("keychain logout: Ctrl-C while the keychain is read (before anything is revoked) cancels with nothing changed: account, item and tokens kept", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme");
    const key = `${EMAIL}::${server.host}`;
    const interrupt = new AbortController();
    // Ctrl-C while the OS keychain is asked (a macOS access dialog can keep it a while).
    class AskingKeychain extends FakeKeychain {
      override get(item: string) {
        if (sameItem(item, key)) interrupt.abort();
        return super.get(item);
      }
    }
    const keychain = new AskingKeychain();
    const text = inKeychain(config, keychain);
    const dir = await tempConfigDir(text);
    const run = await runCli(["accounts", "logout", "acme", "--force"], {
      configDir: dir,
      keychain,
      interrupt,
    });
    assert.equal(run.code, 130, run.stderr);
    assert.match(
      run.stderr,
      /Logout cancelled\. The config was not changed and nothing was revoked\./,
    );
    assert.equal(server.requests.length, 0);
    assert.equal(await readConfigText(dir), text);
    assert.ok(keychain.has(key), "the item that holds the only copy of the tokens is kept");
  });
});

Deno.test("keychain refresh: a keychain that refuses writes is found before the refresh token is spent; a refusal after the refresh says a new login is needed", async () => {
  await withAblyServer({}, async (server) => {
    const config = buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme");
    const key = `${EMAIL}::${server.host}`;
    for (const refused of ["ably-cli-deno-probe", key]) {
      const keychain = new FakeKeychain();
      const dir = await tempConfigDir(inKeychain(config, keychain));
      keychain.failSetOf = refused;
      const before = server.to("/oauth/token").length;
      const run = await runCli(["accounts", "token"], { configDir: dir, keychain });
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, "");
      const said = unwrapped(run.stderr);
      if (refused === key) {
        assert.equal(server.to("/oauth/token").length, before + 1, "refreshed, then refused");
        assert.match(
          said,
          /The refresh token was already used, so this session has ended: log in again \(ably accounts login --alias acme\)/,
        );
      } else {
        assert.equal(server.to("/oauth/token").length, before, "nothing spent");
        assert.match(said, /Cannot use the OS keychain/);
      }
    }
  });
});

Deno.test("keychain: two config directories logged in as the same user on one keychain keep separate items; a logout in one leaves the other working", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const dirs = [await tempConfigDir(), await tempConfigDir()];
    for (const dir of dirs) {
      const login = await runCli(["accounts", "login", "--keychain", ...hostFlags(server)], {
        configDir: dir,
        keychain,
      });
      assert.equal(login.code, 0, login.stderr);
    }
    const namespaces = await Promise.all(
      dirs.map(async (dir) =>
        /^credentialNamespace = "([0-9a-f]{12})"$/m.exec(await readConfigText(dir))?.[1]
      ),
    );
    assert.ok(namespaces[0] && namespaces[1] && namespaces[0] !== namespaces[1], `${namespaces}`);
    const key = `${EMAIL}::${server.host}`;
    assert.deepEqual(
      [...keychain.items.keys()].sort(),
      namespaces.flatMap((ns) => [
        `cfg-${ns}:key:test-account:aBcDeF`,
        `cfg-${ns}:session:${key}`,
      ]).sort(),
    );

    const logout = await runCli(["accounts", "logout", "--force"], {
      configDir: dirs[0],
      keychain,
    });
    assert.equal(logout.code, 0, logout.stderr);
    assert.deepEqual([...keychain.items.keys()].sort(), [
      `cfg-${namespaces[1]}:key:test-account:aBcDeF`,
      `cfg-${namespaces[1]}:session:${key}`,
    ]);
    // The second directory's items were neither deleted nor pruned as orphans.
    const prune = await runCli(["accounts", "keychain", "--prune", "--force", "--json"], {
      configDir: dirs[1],
      keychain,
    });
    assert.equal(prune.code, 0, prune.stderr + prune.stdout);
    assert.deepEqual(resultOf(prune.records()).items, []);
    assert.equal(keychain.items.size, 2);
    // And the first directory's prune sees the second's items as another config's.
    const first = await runCli(["accounts", "keychain", "--prune", "--force", "--json"], {
      configDir: dirs[0],
      keychain,
    });
    assert.equal(resultOf(first.records()).otherConfigs, 2);
    assert.equal(keychain.items.size, 2);
    const current = await runCli(["accounts", "current", "--json", ...hostFlags(server)], {
      configDir: dirs[1],
      keychain,
    });
    assert.equal(current.code, 0, current.stderr);
  });
});

Deno.test("keychain: a config from before namespaces has its items carried over by the next write that opens the keychain (old names deleted after), its apps' keys moved out of the file", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const legacy = buildConfig([
      { alias: "acme", issuer: server.host, email: EMAIL },
      { alias: "solo", issuer: server.host, email: "solo@example.com" },
      { alias: "filed" },
    ], "acme").replace(
      "[accounts.acme.apps]",
      '[accounts.acme.apps.aBcDeF]\napiKey = "aBcDeF.k:key_SeCrEt"',
    );
    const dir = await tempConfigDir(inKeychain(legacy, keychain));
    const sessions = [EMAIL, "solo@example.com"].map((email) => `${email}::${server.host}`);
    assert.deepEqual([...keychain.items.keys()], sessions, "named as before namespaces");

    // A write that does not need the keychain never opens it, even to carry items over.
    const switched = await runCli(["accounts", "switch", "filed"], { configDir: dir, keychain });
    assert.equal(switched.code, 0, switched.stderr);
    assert.equal(keychain.touched.length, 0, `${keychain.touched}`);
    assert.deepEqual([...keychain.items.keys()], sessions);
    assert.match(await readConfigText(dir), /apiKey = "aBcDeF\.k:key_SeCrEt"/);
    // Back to "acme", whose stored token has expired: the refresh writes with the keychain
    // open, and every item moves to the config's namespace, the one read and the one not.
    const back = await runCli(["accounts", "switch", "acme", ...hostFlags(server)], {
      configDir: dir,
      keychain,
    });
    assert.equal(back.code, 0, back.stderr);
    const text = await readConfigText(dir);
    const ns = /^credentialNamespace = "([0-9a-f]{12})"$/m.exec(text)?.[1];
    assert.ok(ns, text);
    assert.deepEqual(
      [...keychain.items.keys()].sort(),
      [
        `cfg-${ns}:key:acme:aBcDeF`,
        ...sessions.map((key) => `cfg-${ns}:session:${key}`),
      ].sort(),
    );
    assert.equal(
      keychain.tokens(`cfg-${ns}:session:${sessions[0]}`)?.refreshToken,
      server.to("/oauth/token").length === 1 ? "refreshed_rt_1_SeCrEt" : "",
      "the refreshed pair",
    );
    assert.deepEqual(keychain.tokens(`cfg-${ns}:session:${sessions[1]}`), {
      accessToken: accessTokenOf("solo@example.com"),
      refreshToken: refreshTokenOf("solo@example.com"),
    }, "the unread item, carried over as it was");
    // Only the file account's own token is left in the file.
    assert.deepEqual(text.match(/\w*_SeCrEt/g), ["legacy_filed_SeCrEt"], text);
    // The old items went only after the file naming the new ones was in place.
    const calls = keychain.touched;
    assert.ok(
      calls.indexOf(`delete ${sessions[0]}`) >
        calls.indexOf(`set cfg-${ns}:session:${sessions[0]}`),
    );
  });
});

Deno.test("keychain: a login, current and status each say in one line that the official CLI cannot read the keychain, and how to hand it the account (ably accounts env)", async () => {
  await withAblyServer({}, async (server) => {
    const keychain = new FakeKeychain();
    const dir = await tempConfigDir();
    const run = (args: string[]) =>
      runCli([...args, ...hostFlags(server)], { configDir: dir, keychain, columns: 1000 });
    const login = await run(["accounts", "login", "--keychain"]);
    assert.equal(login.code, 0, login.stderr);
    assert.ok(
      login.stderr.includes(
        'Tokens and API keys stored in the OS keychain (service ably-cli-deno), not in the config file. The official Ably CLI cannot read the OS keychain: run eval "$(ably accounts env test-account)" before it.\n',
      ),
      login.stderr,
    );
    const current = await run(["accounts", "current"]);
    assert.equal(current.code, 0, current.stderr);
    assert.ok(
      current.stdout.includes(
        'Tokens: OS keychain (the official Ably CLI cannot read the OS keychain: run eval "$(ably accounts env)" before it)\n',
      ),
      current.stdout,
    );
    const status = await runCli(["accounts", "status", "--control-host", server.host], {
      configDir: dir,
      keychain,
      columns: 1000,
    });
    assert.ok(
      status.stderr.includes(
        'The official Ably CLI cannot read the OS keychain: run eval "$(ably accounts env ALIAS)" before it.\n',
      ),
      status.stderr,
    );
  });
});
