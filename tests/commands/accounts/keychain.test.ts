/**
 * Tokens in the OS keychain, in process on a fake keychain: login (--keychain and the
 * ABLY_CLI_CREDENTIAL_STORE preference), a refresh in `current`, logout and --all,
 * moving both ways, a missing item, a locked or absent keychain.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../../src/config/store.ts";
import { hostFlags, ISSUED, withAblyServer } from "../../helpers/ably-server.ts";
import { readConfigText, resultOf, runCli, tempConfigDir, unwrapped } from "../../helpers/cli.ts";
import { FakeKeychain } from "../../helpers/fake-keychain.ts";
import {
  accessTokenOf,
  buildConfig,
  refreshTokenOf,
  SAMPLE_LEGACY,
  SAMPLE_OAUTH,
  SECRET_MARKER,
} from "../../helpers/fixtures.ts";

const EMAIL = "jane@acme.example";
const MARKER = 'credentialStore = "keychain"';

/** A config whose sessions (and legacy tokens) are in `keychain`, as a keychain login leaves it. */
function inKeychain(config: string, keychain: FakeKeychain): string {
  const parsed = parseConfig(config, "config");
  let text = config;
  for (const [key, session] of Object.entries(parsed.oauthSessions ?? {})) {
    keychain.items.set(
      key,
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
    assert.ok(!text.includes("s3cr3t") || text.includes("apiKey"), "only the API key stays");
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
    assert.match(human.stderr, /official Ably CLI cannot use them/);
    const show = await runCli(["config", "show"], { configDir: dir, keychain });
    assert.match(show.stdout, /Tokens in the OS keychain \(service ably-cli-deno\)/);
    assert.deepEqual(keychain.calls, [], "list and config show never read the keychain");

    const reveal = await runCli(["config", "show", "--reveal"], {
      configDir: dir,
      keychain,
      secrets: [],
    });
    assert.match(reveal.stdout, new RegExp(`${key}: accessToken = "${ISSUED.access}"`));
    assert.deepEqual(keychain.touched, [`get ${key}`]);

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
    assert.match(bad.stderr, /ABLY_CLI_CREDENTIAL_STORE must be "keychain" or "file"/);
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
    // Read, then re-read under the lock, then written: one item, never deleted.
    assert.deepEqual(keychain.touched, [`get ${key}`, `get ${key}`, `set ${key}`]);
  });
});

/** A keychain that notes, at each delete, whether the config file on disk still names the item. */
class FileWatchingKeychain extends FakeKeychain {
  file = "";
  readonly namedAtDelete: [item: string, named: boolean][] = [];
  override delete(item: string): Promise<boolean> {
    if (item !== "ably-cli-deno-probe") {
      this.namedAtDelete.push([item, Deno.readTextFileSync(this.file).includes(item)]);
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
    assert.equal(keychain.items.has(`${EMAIL}::${server.host}`), false);
    assert.ok(keychain.items.has(`solo@example.com::${server.host}`));
    assert.equal(keychain.touched.at(-1), `delete ${EMAIL}::${server.host}`);
    // When the item went, the file on disk no longer named it.
    assert.deepEqual(keychain.namedAtDelete, [[`${EMAIL}::${server.host}`, false]]);

    const all = await runCli(["accounts", "logout", "--all", "--force", "--json"], {
      configDir: dir,
      keychain,
    });
    assert.equal(all.code, 0, all.stderr);
    assert.equal(keychain.items.size, 0);
    assert.deepEqual(keychain.namedAtDelete.slice(1), [
      [`solo@example.com::${server.host}`, false],
    ]);
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
    const run = await runCli(["accounts", "logout", "--force"], {
      configDir: dir,
      keychain,
      // During revocation the config becomes a directory the rename cannot replace.
      fetch: async (input, init) => {
        if (
          !swapped && String(input instanceof Request ? input.url : input).endsWith("/oauth/revoke")
        ) {
          swapped = true;
          await Deno.remove(`${dir}/config`);
          await Deno.mkdir(`${dir}/config/occupied`, { recursive: true });
        }
        return await fetch(input, init);
      },
    });
    assert.ok(swapped, "revocation was attempted");
    assert.equal(run.code, 1, run.stderr);
    assert.match(unwrapped(run.stderr), /Failed to save Ably config/);
    assert.match(unwrapped(run.stderr), /already revoked/);
    assert.ok(keychain.items.has(key), "the item outlives a file that was not replaced");
    assert.ok(!keychain.touched.includes(`delete ${key}`), keychain.touched.join());
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
    assert.match(
      unwrapped(current.stderr),
      /Cannot read the tokens of account "acme" from the OS keychain \(locked/,
    );
    assert.match(unwrapped(current.stderr), /Unlock your keyring/);
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
    assert.deepEqual(keychain.touched, []);
    assert.deepEqual(Object.keys(parseConfig(await readConfigText(dir), "config").accounts!), [
      "b",
    ]);
  });
});
