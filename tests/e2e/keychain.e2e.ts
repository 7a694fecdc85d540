/**
 * The real OS keychain, end to end (Linux Secret Service): the spawned CLI, with the
 * `ably` task's exact permissions, logs in with --keychain against the local test
 * server, leaves no token or API key byte in the config directory, refreshes in `current`, logs
 * out, and the keychain item is gone.
 *
 * Not part of `deno task test` (its name does not end in .test.ts): it needs a
 * private D-Bus session with an unlocked keyring, which `scripts/keychain_e2e.sh`
 * (run by `.ci/run`) provides and then sets ABLY_KEYCHAIN_E2E=ready. Without that it
 * is skipped, except under CI=true, where a missing set-up is a failure.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openKeychain } from "../../src/credentials/os-keychain.ts";
import { hostFlags, ISSUED, withAblyServer } from "../helpers/ably-server.ts";
import { readConfigText, resultOf, spawnCli, tempConfigDir } from "../helpers/cli.ts";

const ready = Deno.env.get("ABLY_KEYCHAIN_E2E") === "ready";
const ci = Deno.env.get("CI") === "true";
const EMAIL = "jane@acme.example";

/** What the spawned CLI needs to reach the private session bus. */
function busEnv(): Record<string, string> {
  const address = Deno.env.get("DBUS_SESSION_BUS_ADDRESS");
  return address ? { DBUS_SESSION_BUS_ADDRESS: address } : {};
}

/** The API key the test server issues with every login (the app's Root key). */
const API_KEY = "aBcDeF.kEy123:s3cr3tS3cr3t";

/** The name of an item of the config in `dir` (`session:<key>`, `key:<alias>:<app>`…). */
async function itemOf(dir: string, name: string): Promise<string> {
  const ns = /^credentialNamespace = "([0-9a-f]{12})"$/m.exec(await readConfigText(dir))?.[1];
  assert.ok(ns, "the config has a namespace for its items");
  return `cfg-${ns}:${name}`;
}

/** Every file under `dir`, searched byte for byte for each secret. */
async function assertNoBytes(dir: string, secrets: string[]): Promise<void> {
  const encoder = new TextEncoder();
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      await assertNoBytes(path, secrets);
      continue;
    }
    const bytes = await Deno.readFile(path);
    const text = new TextDecoder("latin1").decode(bytes);
    for (const secret of secrets) {
      const needle = new TextDecoder("latin1").decode(encoder.encode(secret));
      assert.ok(!text.includes(needle), `${path} holds a token (${secret.slice(0, 9)}…)`);
    }
  }
}

Deno.test({
  name:
    "real keychain: login --keychain, no token or API key byte on disk, current refreshes, logout deletes the items",
  ignore: !ready && !ci,
  async fn() {
    assert.ok(
      ready,
      "CI=true but the keychain set-up failed (no private D-Bus session with an unlocked keyring): see scripts/keychain_e2e.sh",
    );
    const keychain = await openKeychain();
    await withAblyServer({}, async (server) => {
      const dir = await tempConfigDir();
      const env = busEnv();
      const key = `${EMAIL}::${server.host}`;
      const login = await spawnCli(
        ["accounts", "login", "--keychain", "--json", ...hostFlags(server)],
        { configDir: dir, env },
      );
      assert.equal(login.code, 0, login.stderr + login.stdout);
      assert.equal(resultOf(login.records()).account.credentials, "keychain");
      const session = await itemOf(dir, `session:${key}`);
      const apiKey = await itemOf(dir, "key:test-account:aBcDeF");
      assert.deepEqual(JSON.parse((await keychain.get(session))!), {
        accessToken: ISSUED.access,
        refreshToken: ISSUED.refresh,
      });
      assert.deepEqual(JSON.parse((await keychain.get(apiKey))!), { apiKey: API_KEY });
      // Every secret issued: the tokens and the API key's secret part.
      await assertNoBytes(dir, [ISSUED.access, ISSUED.refresh, API_KEY, API_KEY.split(":")[1]]);

      // Expire the access token (a non-secret field), so `current` must refresh.
      const text = await readConfigText(dir);
      await Deno.writeTextFile(
        `${dir}/config`,
        text.replace(/accessTokenExpiresAt = \d+/, "accessTokenExpiresAt = 1000"),
      );
      const current = await spawnCli(["accounts", "current", "--json", ...hostFlags(server)], {
        configDir: dir,
        env,
      });
      assert.equal(current.code, 0, current.stderr + current.stdout);
      assert.equal(
        server.to("/oauth/token").filter((r) => r.form.grant_type === "refresh_token").length,
        1,
      );
      assert.equal(server.to("/api/v1/me").at(-1)?.authorization, "Bearer refreshed_at_1_SeCrEt");
      assert.deepEqual(JSON.parse((await keychain.get(session))!), {
        accessToken: "refreshed_at_1_SeCrEt",
        refreshToken: "refreshed_rt_1_SeCrEt",
      });
      await assertNoBytes(dir, [
        ISSUED.access,
        ISSUED.refresh,
        "refreshed_at_1",
        "refreshed_rt_1",
        API_KEY.split(":")[1],
      ]);

      const logout = await spawnCli(["accounts", "logout", "--force", "--json"], {
        configDir: dir,
        env,
      });
      assert.equal(logout.code, 0, logout.stderr + logout.stdout);
      assert.deepEqual(resultOf(logout.records()).account.revocation, {
        access: { status: "revoked" },
        refresh: { status: "revoked" },
      });
      assert.equal(await keychain.get(session), undefined);
      assert.equal(await keychain.get(apiKey), undefined);
      await Deno.remove(dir, { recursive: true });
    });
  },
});

Deno.test({
  name: "real keychain: a legacy account moves in and back; the file is byte-identical after",
  ignore: !ready && !ci,
  async fn() {
    assert.ok(ready, "CI=true but the keychain set-up failed: see scripts/keychain_e2e.sh");
    const config = `[accounts.default]
accessToken = "ably_legacy_token_5b7d2c9e"
accountId = "VgQpOZ"
accountName = "Acme Ltd"
tokenId = "unknown"

[current]
account = "default"
`;
    const dir = await tempConfigDir(config);
    const env = busEnv();
    const into = await spawnCli(["accounts", "keychain", "--json"], { configDir: dir, env });
    assert.equal(into.code, 0, into.stderr + into.stdout);
    await assertNoBytes(dir, ["ably_legacy_token_5b7d2c9e"]);
    const item = await itemOf(dir, "token:default");
    assert.ok(await (await openKeychain()).get(item));
    const back = await spawnCli(["accounts", "keychain", "--to-file", "--json"], {
      configDir: dir,
      env,
    });
    assert.equal(back.code, 0, back.stderr + back.stdout);
    assert.equal(await readConfigText(dir), config);
    assert.equal(await (await openKeychain()).get(item), undefined);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name:
    "real keychain: list names this CLI's items (not the probe), and a missing item reads as none",
  ignore: !ready && !ci,
  async fn() {
    assert.ok(ready, "CI=true but the keychain set-up failed: see scripts/keychain_e2e.sh");
    const keychain = await openKeychain();
    const items = [`e2e-list-b-${Date.now()}`, `e2e-list-a-${Date.now()}`];
    try {
      for (const item of items) await keychain.set(item, "not-a-token");
      const listed = await keychain.list!();
      assert.deepEqual(listed.filter((name) => items.includes(name)), [...items].sort());
      assert.ok(!listed.includes("ably-cli-deno-probe"));
      assert.equal(await keychain.get(`e2e-missing-${Date.now()}`), undefined);
    } finally {
      for (const item of items) await keychain.delete(item);
    }
    assert.deepEqual((await keychain.list!()).filter((name) => items.includes(name)), []);
  },
});

Deno.test({
  name:
    "real keychain: --prune revokes an orphaned session item (left as the official CLI's logout leaves it) once at its issuer, then deletes it",
  ignore: !ready && !ci,
  async fn() {
    assert.ok(ready, "CI=true but the keychain set-up failed: see scripts/keychain_e2e.sh");
    const keychain = await openKeychain();
    await withAblyServer({}, async (server) => {
      const dir = await tempConfigDir();
      const env = busEnv();
      const key = `${EMAIL}::${server.host}`;
      const login = await spawnCli(
        ["accounts", "login", "--keychain", "--json", ...hostFlags(server)],
        { configDir: dir, env },
      );
      assert.equal(login.code, 0, login.stderr + login.stdout);
      const session = await itemOf(dir, `session:${key}`);
      const apiKey = await itemOf(dir, "key:test-account:aBcDeF");
      // The official CLI's logout: the file entry goes, the keychain items stay; the
      // namespace, a top-level key it does not know, is kept as it keeps every such key.
      const ns = session.slice(4, 16);
      await Deno.writeTextFile(`${dir}/config`, `credentialNamespace = "${ns}"\n\n[current]\n`);
      const prune = await spawnCli(["accounts", "keychain", "--prune", "--force", "--json"], {
        configDir: dir,
        env,
      });
      assert.equal(prune.code, 0, prune.stderr + prune.stdout);
      assert.deepEqual(resultOf(prune.records()).items, [{
        item: apiKey,
        revocation: { access: { status: "skipped", reason: "api-key" } },
        deleted: true,
      }, {
        item: session,
        revocation: { access: { status: "revoked" }, refresh: { status: "revoked" } },
        deleted: true,
      }]);
      assert.deepEqual(
        server.to("/oauth/revoke").map((r) => r.form.token).sort(),
        [ISSUED.access, ISSUED.refresh].sort(),
      );
      assert.equal(await keychain.get(session), undefined);
      assert.equal(await keychain.get(apiKey), undefined);
      await Deno.remove(dir, { recursive: true });
    });
  },
});

Deno.test({
  name:
    "real keychain, Secret Service out of reach: logout names the cause and --skip-revoke; a login fails before the device flow; --skip-revoke removes the account unrevoked",
  ignore: !ready && !ci,
  async fn() {
    assert.ok(ready, "CI=true but the keychain set-up failed: see scripts/keychain_e2e.sh");
    const keychain = await openKeychain();
    await withAblyServer({}, async (server) => {
      const dir = await tempConfigDir();
      const key = `${EMAIL}::${server.host}`;
      const login = await spawnCli(
        ["accounts", "login", "--keychain", "--alias", "kc", "--json", ...hostFlags(server)],
        { configDir: dir, env: busEnv() },
      );
      assert.equal(login.code, 0, login.stderr + login.stdout);
      const stored = await readConfigText(dir);
      const items = [await itemOf(dir, `session:${key}`), await itemOf(dir, "key:kc:aBcDeF")];
      // As on a desktop whose Secret Service has stopped: no bus to reach it on.
      const stopped = { DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent/ably-e2e-bus" };
      try {
        const refused = await spawnCli(["accounts", "logout", "--force"], {
          configDir: dir,
          env: stopped,
        });
        assert.equal(refused.code, 1, refused.stderr);
        const said = refused.stderr.replace(/\s*›\s*/g, " ").replace(/\s+/g, " ");
        assert.match(said, /Cannot read the tokens of account "kc" from the OS keychain/);
        assert.match(said, /unavailable/);
        assert.match(said, /add --skip-revoke/);
        assert.equal(await readConfigText(dir), stored);

        const before = server.requests.length;
        const again = await spawnCli([
          "accounts",
          "login",
          "--alias",
          "other",
          ...hostFlags(server),
        ], {
          configDir: dir,
          env: stopped,
        });
        assert.equal(again.code, 1, again.stderr);
        assert.equal(server.requests.length, before, "no request before the keychain check");

        const removed = await spawnCli(["accounts", "logout", "--force", "--skip-revoke"], {
          configDir: dir,
          env: stopped,
        });
        assert.equal(removed.code, 0, removed.stderr);
        assert.match(removed.stderr.replace(/\s+/g, " "), /Tokens not revoked/);
        assert.doesNotMatch(await readConfigText(dir), /\[accounts\.kc\]/);
        assert.equal(server.to("/oauth/revoke").length, 0);
      } finally {
        for (const item of items) await keychain.delete(item);
        await Deno.remove(dir, { recursive: true });
      }
    });
  },
});

Deno.test({
  name:
    "real keychain: two config directories, the same user with --keychain in both: separate items; logging out of one leaves the other working; --prune in either removes only true orphans",
  ignore: !ready && !ci,
  async fn() {
    assert.ok(ready, "CI=true but the keychain set-up failed: see scripts/keychain_e2e.sh");
    const keychain = await openKeychain();
    await withAblyServer({}, async (server) => {
      const env = busEnv();
      const key = `${EMAIL}::${server.host}`;
      const dirs = [await tempConfigDir(), await tempConfigDir()];
      for (const dir of dirs) {
        const login = await spawnCli(
          ["accounts", "login", "--keychain", "--json", ...hostFlags(server)],
          { configDir: dir, env },
        );
        assert.equal(login.code, 0, login.stderr + login.stdout);
      }
      const items = await Promise.all(dirs.map((dir) => itemOf(dir, `session:${key}`)));
      assert.notEqual(items[0], items[1]);
      for (const item of items) assert.ok(await keychain.get(item), item);
      const second = await itemOf(dirs[1], "key:test-account:aBcDeF");

      const logout = await spawnCli(["accounts", "logout", "--force", "--json"], {
        configDir: dirs[0],
        env,
      });
      assert.equal(logout.code, 0, logout.stderr + logout.stdout);
      assert.equal(await keychain.get(items[0]), undefined);
      assert.ok(await keychain.get(items[1]), "the other directory's item is kept");

      // A true orphan of the second directory: its item left as the official CLI's logout
      // leaves it (the file entry gone, the namespace kept).
      const orphan = items[1].replace(/:session:.*/, `:session:gone@example.com::${server.host}`);
      await keychain.set(orphan, JSON.stringify({ accessToken: "x" }));
      try {
        for (const dir of dirs) {
          const prune = await spawnCli(["accounts", "keychain", "--prune", "--force", "--json"], {
            configDir: dir,
            env,
          });
          assert.equal(prune.code, 0, prune.stderr + prune.stdout);
        }
        assert.equal(await keychain.get(orphan), undefined, "the orphan was pruned");
        const current = await spawnCli(["accounts", "current", "--json", ...hostFlags(server)], {
          configDir: dirs[1],
          env,
        });
        assert.equal(current.code, 0, current.stderr + current.stdout);
        assert.ok(await keychain.get(items[1]));
        assert.ok(await keychain.get(second));
      } finally {
        for (const item of [items[1], second, orphan]) await keychain.delete(item);
        for (const dir of dirs) await Deno.remove(dir, { recursive: true });
      }
    });
  },
});

// Last in this file: the throw-away keyring stays locked (no prompt can unlock it here).
Deno.test({
  name:
    "real keychain: locked, an item present or missing reads and deletes as 'locked', never as none",
  ignore: !ready && !ci,
  async fn() {
    assert.ok(ready, "CI=true but the keychain set-up failed: see scripts/keychain_e2e.sh");
    const keychain = await openKeychain();
    const item = `e2e-locked-${Date.now()}`;
    await keychain.set(item, "not-a-token");
    const lock = await new Deno.Command("dbus-send", {
      args: [
        "--session",
        "--print-reply",
        "--dest=org.freedesktop.secrets",
        "/org/freedesktop/secrets",
        "org.freedesktop.Secret.Service.Lock",
        "array:objpath:/org/freedesktop/secrets/aliases/default",
      ],
      env: busEnv(),
    }).output();
    assert.equal(lock.code, 0, new TextDecoder().decode(lock.stderr));
    const kindOf = (promise: Promise<unknown>) =>
      promise.then((value) => `resolved ${value}`, (error) => error.problem);
    assert.equal(await kindOf(keychain.get(item)), "locked");
    assert.equal(await kindOf(keychain.get(`${item}-missing`)), "locked");
    assert.equal(await kindOf(keychain.delete(`${item}-missing`)), "locked");
    assert.equal(await kindOf(keychain.list!()), "locked");
  },
});
