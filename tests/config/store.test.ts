import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { configLocation } from "../../src/config/location.ts";
import { readSnapshot, SavedNothing, updateConfig } from "../../src/config/store.ts";
import { parseConfig, serializeConfig } from "../../src/config/toml.ts";
import type { SecretsSync } from "../../src/config/secrets-sync.ts";
import { ensureDir } from "../../src/config/files.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { Cancelled } from "../../src/errors.ts";
import type { AblyConfig } from "../../src/config/schema.ts";
import { withFileLock } from "../../src/config/lock.ts";
import { failRenamesInto } from "../helpers/faults.ts";
import {
  addAccount,
  buildConfig,
  SAMPLE_CUSTOM_HOSTS,
  SAMPLE_LEGACY,
  SAMPLE_OAUTH,
  SAMPLE_SHARED,
} from "../helpers/fixtures.ts";
import { configFileIn, tempConfigDir, tempDir } from "../helpers/cli.ts";

const isWindows = Deno.build.os === "windows";

const readConfig = async (path: string) => (await readSnapshot(path))?.config;
const ensureConfigDir = (dir: string) => Promise.resolve().then(() => ensureDir(dir));

/** The whole file replaced by `content`, through the locked update. */
async function writeConfigAtomic(path: string, content: AblyConfig): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  await updateConfig({ dir, file: path }, (config) => {
    for (const key of Object.keys(config)) delete config[key];
    Object.assign(config, structuredClone(content));
    return { changed: true, value: undefined };
  });
}
const samples = {
  "oauth": SAMPLE_OAUTH,
  "shared session": SAMPLE_SHARED,
  "legacy": SAMPLE_LEGACY,
  "custom hosts": SAMPLE_CUSTOM_HOSTS,
};

function locationOf(dir: string) {
  return configLocation((name) => (name === "ABLY_CLI_CONFIG_DIR" ? dir : undefined));
}

for (const [name, text] of Object.entries(samples)) {
  Deno.test(`store: the official CLI's ${name} file round-trips byte for byte`, () => {
    assert.equal(serializeConfig(parseConfig(text, "config")), text);
  });
}

Deno.test("store: unknown keys and tables such as helpContext survive a rewrite", async () => {
  const text = `${SAMPLE_OAUTH}
[[helpContext.conversation.messages]]
content = "How do I log out?"
role = "user"
`;
  const dir = await tempConfigDir(text);
  await updateConfig(locationOf(dir), (config) => {
    config.current!.account = "acme-ltd";
    return { changed: true, value: undefined };
  });
  assert.equal(await Deno.readTextFile(`${dir}/config`), text);
});

Deno.test("store: location is $ABLY_CLI_CONFIG_DIR/config, else ~/.ably/config", () => {
  assert.equal(locationOf("/x/y").file, "/x/y/config");
  // The OS rules themselves are in location.test.ts; Linux, with no user database entry.
  const linux = { os: "linux", passwdHome: () => undefined };
  const home = configLocation((name) => (name === "HOME" ? "/home/jane" : undefined), linux);
  assert.equal(home.file, "/home/jane/.ably/config");
  assert.throws(() => configLocation(() => undefined, linux), /home directory/);
});

Deno.test("store: a missing file reads as undefined and is not created", async () => {
  const dir = await tempConfigDir();
  assert.equal(await readConfig(`${dir}/config`), undefined);
  await assert.rejects(Deno.stat(`${dir}/config`), Deno.errors.NotFound);
});

Deno.test("store: malformed TOML names the file, line and column and is never rewritten", async () => {
  const broken = '[accounts.x]\naccountId = "abc\nuserEmail = 1\n';
  const dir = await tempConfigDir(broken);
  try {
    await updateConfig(locationOf(dir), () => ({ changed: true, value: undefined }));
    assert.fail("expected a parse error");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.ok(e.message.includes(configFileIn(dir)), e.message);
    assert.match(e.message, /line 3, column \d+/);
  }
  assert.equal(await Deno.readTextFile(`${dir}/config`), broken);
});

Deno.test({
  name: "store: writes leave the file 0600 and create the directory 0700, parents included",
  ignore: isWindows,
  async fn() {
    const root = await tempConfigDir();
    const dir = `${root}/nested/deeper/.ably`;
    await updateConfig(locationOf(dir), (config) => {
      config.accounts = { a: { accountId: "1" } };
      return { changed: true, value: undefined };
    });
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(`${dir}/config`)).mode! & 0o777, 0o600);

    // A pre-existing loose file is tightened by the next write.
    await Deno.chmod(`${dir}/config`, 0o644);
    await writeConfigAtomic(`${dir}/config`, { accounts: {} });
    assert.equal((await Deno.stat(`${dir}/config`)).mode! & 0o777, 0o600);
  },
});

Deno.test("store: an update that changes nothing does not write", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const before = await Deno.stat(`${dir}/config`);
  await new Promise((r) => setTimeout(r, 20));
  await updateConfig(locationOf(dir), () => ({ changed: false, value: undefined }));
  const after = await Deno.stat(`${dir}/config`);
  assert.equal(after.mtime?.getTime(), before.mtime?.getTime());
  assert.equal(after.ino, before.ino);
});

Deno.test("store: atomic write replaces the file by rename and leaves no temp file", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  await writeConfigAtomic(`${dir}/config`, parseConfig(SAMPLE_OAUTH, "x"));
  assert.equal(await Deno.readTextFile(`${dir}/config`), SAMPLE_OAUTH);
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  assert.deepEqual(names.sort(), ["config", "config.lock"]);
});

Deno.test("store: a failed write reports the path and keeps the old file", {
  ignore: isWindows || Deno.uid?.() === 0, // root ignores directory permissions
}, async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  await Deno.chmod(dir, 0o500);
  try {
    await assert.rejects(
      writeConfigAtomic(`${dir}/config`, { accounts: {} }),
      /Failed to save Ably config/,
    );
  } finally {
    await Deno.chmod(dir, 0o700);
  }
  assert.equal(await Deno.readTextFile(`${dir}/config`), SAMPLE_LEGACY);
});

Deno.test("store: 40 concurrent read-modify-writes in one process lose nothing", async () => {
  const dir = await tempConfigDir("[accounts]\n");
  await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      updateConfig(locationOf(dir), (config) => {
        config.accounts![`a${i}`] = { accountId: String(i) };
        return { changed: true, value: undefined };
      })),
  );
  const config = await readConfig(`${dir}/config`);
  assert.equal(Object.keys(config!.accounts!).length, 40);
});

Deno.test("lock: a held lock makes others wait, then time out with a clear error", async () => {
  const dir = await tempConfigDir();
  await ensureConfigDir(dir);
  const lock = `${dir}/config.lock`;
  const release = Promise.withResolvers<void>();
  const holder = withFileLock(lock, 1000, () => release.promise);
  await new Promise((r) => setTimeout(r, 20));
  const started = performance.now();
  await assert.rejects(
    withFileLock(lock, 200, async () => {}),
    (e: unknown) =>
      e instanceof ConfigError && /Timed out after 200 ms waiting for the lock/.test(e.message) &&
      e.message.includes(String(Deno.pid)),
  );
  const waited = performance.now() - started;
  assert.ok(waited >= 190 && waited < 1000, `waited ${waited}ms`);
  release.resolve();
  await holder;
  assert.equal(await withFileLock(lock, 200, () => Promise.resolve("free")), "free");
});

const HOLD_LOCK = fromFileUrl(new URL("../helpers/hold_lock.ts", import.meta.url));
const WRITE_LOOP = fromFileUrl(new URL("../helpers/write_loop.ts", import.meta.url));

Deno.test("lock: a holder killed with SIGKILL leaves no stale lock", {
  ignore: isWindows,
}, async () => {
  const dir = await tempConfigDir();
  const lock = `${dir}/config.lock`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", HOLD_LOCK, lock],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read(); // "locked"
  await assert.rejects(withFileLock(lock, 100, async () => {}), /Timed out/);
  child.kill("SIGKILL");
  await child.status;
  reader.releaseLock();
  await child.stdout.cancel();
  const started = performance.now();
  assert.equal(await withFileLock(lock, 2000, () => Promise.resolve("taken")), "taken");
  assert.ok(performance.now() - started < 500);
});

Deno.test("store: SIGKILL during writes leaves the old or the new file, never a mix", {
  ignore: isWindows,
}, async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  for (const delayMs of [5, 15, 30, 60, 90, 120]) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", "--allow-env", WRITE_LOOP, dir],
      stdout: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    await reader.read(); // the loop has started writing
    await new Promise((r) => setTimeout(r, delayMs));
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel();
    const text = await Deno.readTextFile(`${dir}/config`);
    assert.ok(text === SAMPLE_OAUTH || text === SAMPLE_SHARED, `torn file after ${delayMs}ms`);
    parseConfig(text, "config");
  }
  // A temp file a killed writer left behind holds secrets: the next write removes it.
  await Deno.writeTextFile(`${dir}/.config.99999-deadbeef.tmp`, "secret leftovers");
  await updateConfig(locationOf(dir), () => ({ changed: true, value: undefined }));
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  assert.deepEqual(names.filter((n) => n.endsWith(".tmp")), []);
});

Deno.test("store: a symlinked config is updated where it points and stays a link", {
  ignore: isWindows,
}, async () => {
  const dotfiles = await tempConfigDir(SAMPLE_LEGACY);
  const dir = await tempConfigDir();
  await Deno.symlink(`${dotfiles}/config`, `${dir}/config`);
  await updateConfig(locationOf(dir), (config) => {
    delete config.current!.app;
    return { changed: true, value: undefined };
  });
  assert.ok((await Deno.lstat(`${dir}/config`)).isSymlink);
  assert.equal(
    await Deno.readTextFile(`${dotfiles}/config`),
    SAMPLE_LEGACY.replace('app = "aBcDeF"\n', ""),
  );
});

Deno.test("store: a rename that fails after the temp file was written leaves no temp file and says what was done", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  let tempSeen = false;
  let restore = () => {};
  try {
    await assert.rejects(
      updateConfig({ dir, file: `${dir}/config` }, (config) => {
        delete config.oauthSessions;
        return { changed: true, value: undefined };
      }, {
        // The temp file (tokens included) exists now; then the rename fails.
        irreversible: async () => {
          for await (const entry of Deno.readDir(dir)) tempSeen ||= entry.name.endsWith(".tmp");
          restore = failRenamesInto(dir);
          return "revoked";
        },
      }),
      (e: unknown) =>
        e instanceof SavedNothing && e.done === "revoked" &&
        e.message.startsWith("Failed to save Ably config") && e.message.includes("os error 5"),
    );
  } finally {
    restore();
  }
  assert.ok(tempSeen, "the temp file existed before the rename");
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  assert.deepEqual(names.sort(), ["config", "config.lock"]);
  assert.equal(await Deno.readTextFile(`${dir}/config`), SAMPLE_OAUTH);
});

Deno.test("store: aliases such as constructor and __proto__ are ordinary keys", async () => {
  const text = buildConfig([{ alias: "constructor" }, { alias: "toString" }], "constructor")
    .replace("[accounts.toString]", "[accounts.__proto__]")
    .replace("[accounts.toString.apps]", "[accounts.__proto__.apps]");
  const config = parseConfig(text, "config");
  assert.deepEqual(Object.keys(config.accounts!), ["constructor", "__proto__"]);
  assert.equal(config.accounts!.hasOwnProperty, undefined);
  assert.equal(serializeConfig(config), text);
  const dir = await tempConfigDir(text);
  await updateConfig(locationOf(dir), (fresh) => {
    delete fresh.accounts!["constructor"];
    return { changed: true, value: undefined };
  });
  assert.deepEqual(Object.keys((await readConfig(`${dir}/config`))!.accounts!), ["__proto__"]);
});

Deno.test("store: a TOML file that is not an Ably config is refused, never rewritten", async () => {
  for (
    const [text, problem] of [
      ['accounts = "abc"\n', '"accounts" must be a table'],
      ["[current]\naccount = 5\n", '"current.account" must be a string'],
      ['[accounts]\nx = "y"\n', "accounts.x must be a table"],
      ["[accounts.a]\naccountId = 1\n", "accounts.a.accountId must be a string"],
      ['[accounts."a.b"]\napps = 3\n', 'accounts."a.b".apps must be a table'],
      ["[accounts.a.apps]\nx1 = 7\n", "accounts.a.apps.x1 must be a table"],
      [
        '[oauthSessions."k::h"]\naccessToken = ["x"]\n',
        'oauthSessions."k::h".accessToken must be a string',
      ],
    ]
  ) {
    const dir = await tempConfigDir(text);
    await assert.rejects(
      updateConfig(locationOf(dir), () => ({ changed: true, value: undefined })),
      (e: unknown) => e instanceof ConfigError && e.message.includes(problem),
      text,
    );
    assert.equal(await Deno.readTextFile(`${dir}/config`), text);
  }
});

Deno.test("store: a file that is not UTF-8 is refused, never rewritten", async () => {
  const dir = await tempConfigDir();
  const bytes = new TextEncoder().encode('[accounts.a]\naccountName = "Caf?"\n');
  bytes[bytes.indexOf("?".charCodeAt(0))] = 0xe9; // Latin-1 é
  await Deno.writeFile(`${dir}/config`, bytes);
  await assert.rejects(readConfig(`${dir}/config`), /not valid UTF-8/);
  assert.deepEqual(await Deno.readFile(`${dir}/config`), bytes);
});

Deno.test("store: a dangling symlinked config is created where the link points", {
  ignore: isWindows,
}, async () => {
  const dotfiles = await tempConfigDir();
  const dir = await tempConfigDir();
  await Deno.symlink(`${dotfiles}/ably-config`, `${dir}/config`);
  await Deno.writeTextFile(`${dotfiles}/.ably-config.1-deadbeef.tmp`, "secret leftovers");
  await updateConfig(locationOf(dir), (config) => {
    config.accounts = { a: { accountId: "1" } };
    return { changed: true, value: undefined };
  });
  assert.ok((await Deno.lstat(`${dir}/config`)).isSymlink);
  assert.equal(
    await Deno.readTextFile(`${dotfiles}/ably-config`),
    '[accounts.a]\naccountId = "1"\n',
  );
  await assert.rejects(Deno.stat(`${dotfiles}/.ably-config.1-deadbeef.tmp`), Deno.errors.NotFound);
});

Deno.test({
  name: "store: a config that is a socket is refused unread and never replaced",
  ignore: isWindows,
}, async () => {
  const dir = await tempConfigDir();
  // Bound by another process (the tests may only listen on 127.0.0.1); the socket file stays.
  const bind = "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])";
  const made = await new Deno.Command("python3", { args: ["-c", bind, `${dir}/config`] }).output();
  assert.ok(made.success, new TextDecoder().decode(made.stderr));
  await assert.rejects(
    readConfig(`${dir}/config`),
    (e: unknown) => e instanceof ConfigError && /is a socket, not a regular file/.test(e.message),
  );
  await assert.rejects(
    updateConfig(locationOf(dir), () => ({ changed: true, value: undefined })),
    /is a socket, not a regular file/,
  );
  assert.ok((await Deno.lstat(`${dir}/config`)).isSocket);
  await assert.rejects(Deno.stat(`${dir}/config.lock`), Deno.errors.NotFound);
});

Deno.test("store: a config directory that is a file is named, and nothing is created", async () => {
  const dir = await tempConfigDir();
  const file = `${dir}/not-a-dir`;
  await Deno.writeTextFile(file, "x");
  // Reading: the path through a file cannot exist.
  await assert.rejects(
    readConfig(`${file}/config`),
    (e: unknown) =>
      e instanceof ConfigError && e.message.startsWith(`Cannot read Ably config ${file}/config: `),
  );
  // Writing: the directory, or a parent of it, is a file.
  await assert.rejects(
    ensureConfigDir(file),
    new RegExp(`^ConfigError: Cannot use config directory ${file}: ${file} is not a directory\\.`),
  );
  await assert.rejects(
    ensureConfigDir(`${file}/sub/deeper`),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message.startsWith(`Cannot access config directory ${file}/sub/deeper: `),
  );
  assert.equal(await Deno.readTextFile(file), "x");
});

Deno.test("store: missing parents of the config directory are created, each private", async () => {
  const dir = await tempConfigDir();
  await ensureConfigDir(`${dir}/a/b/c`);
  for (const at of [`${dir}/a`, `${dir}/a/b`, `${dir}/a/b/c`]) {
    const info = await Deno.stat(at);
    assert.ok(info.isDirectory, at);
    if (!isWindows) assert.equal(info.mode! & 0o777, 0o700, at);
  }
  await ensureConfigDir(`${dir}/a/b/c`); // already there: fine
});

Deno.test("lock: a lock path that cannot exist names the path", async () => {
  const dir = await tempConfigDir();
  await Deno.writeTextFile(`${dir}/file`, "x");
  let ran = false;
  await assert.rejects(
    withFileLock(`${dir}/file/config.lock`, 100, () => Promise.resolve(ran = true)),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message.startsWith(`Cannot open the config lock ${dir}/file/config.lock: `),
  );
  assert.equal(ran, false);
});

Deno.test({
  name: "store: a relative link through a symlinked directory is followed as the OS follows it",
  ignore: Deno.build.os === "windows",
  async fn() {
    const root = await tempDir("ably-dotfiles-");
    // ~/.ably -> dotfiles/ably, and dotfiles/ably/config -> ../shared/config (not there yet).
    await Deno.mkdir(`${root}/dotfiles/ably`, { recursive: true });
    await Deno.mkdir(`${root}/dotfiles/shared`);
    await Deno.mkdir(`${root}/home`);
    await Deno.symlink(`${root}/dotfiles/ably`, `${root}/home/.ably`);
    await Deno.symlink("../shared/config", `${root}/dotfiles/ably/config`);
    const location = { dir: `${root}/home/.ably`, file: `${root}/home/.ably/config` };
    await updateConfig(location, (config) => {
      config.accounts!.acme = { accountId: "VgQpOZ" };
      return { changed: true, value: undefined };
    });
    assert.match(await Deno.readTextFile(`${root}/dotfiles/shared/config`), /\[accounts\.acme\]/);
    assert.equal((await readConfig(location.file))?.accounts?.acme.accountId, "VgQpOZ");
    assert.ok((await Deno.lstat(`${root}/dotfiles/ably/config`)).isSymlink);
  },
});

Deno.test({
  name: "store: a read-only file is refused before a plan that spends something, and only then",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await tempConfigDir('[accounts.a]\naccountId = "1"\n');
    await Deno.chmod(`${dir}/config`, 0o400);
    const location = { dir, file: `${dir}/config` };
    // Nothing to write: fine, as before.
    assert.equal(
      (await updateConfig(location, () => ({ changed: false, value: "unchanged" }))).value,
      "unchanged",
    );
    let ran = false;
    await assert.rejects(
      updateConfig(location, () => {
        ran = true;
        return { changed: true, value: undefined };
      }, { spends: true }),
      /read-only/,
    );
    assert.equal(ran, false);
  },
});

/** A stand-in for the keychain's part: records what the store asks of it, in order. */
function recordingSecrets(
  events: string[],
  hooks: { write?: () => Promise<void>; previous?: () => Promise<undefined> } = {},
): (config: AblyConfig) => Promise<SecretsSync> {
  const sync: SecretsSync = {
    load: () => Promise.resolve(),
    loadEach: () => Promise.resolve([]),
    previous: () => hooks.previous?.() ?? Promise.resolve(undefined),
    items: () => new Map<string, string>(),
    stage: (config) =>
      Promise.resolve({
        written: config,
        async write() {
          events.push("write");
          await hooks.write?.();
        },
        undo: () => Promise.resolve(void events.push("undo")),
        cleanUp: () => Promise.resolve(void events.push("cleanUp")),
      }),
  };
  return () => Promise.resolve(sync);
}

const dropSessions = (config: AblyConfig) => {
  delete config.oauthSessions;
  return { changed: true, value: undefined };
};

Deno.test("store: a keychain write that fails stops the update before the irreversible step runs", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const events: string[] = [];
  await assert.rejects(
    updateConfig({ dir, file: `${dir}/config` }, dropSessions, {
      secrets: recordingSecrets(events, {
        write: () => Promise.reject(new Error("keychain says no")),
      }),
      irreversible: () => Promise.resolve(void events.push("irreversible")),
    }),
    (e: unknown) => !(e instanceof SavedNothing) && (e as Error).message === "keychain says no",
  );
  assert.deepEqual(events, ["write", "undo"]);
  assert.equal(await Deno.readTextFile(`${dir}/config`), SAMPLE_OAUTH);
});

Deno.test("store: the irreversible step does not run when the change removes no tokens", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  let ran = false;
  const updated = await updateConfig({ dir, file: `${dir}/config` }, (config) => {
    config.current = {};
    return { changed: true, value: undefined };
  }, {
    irreversible: () => Promise.resolve(void (ran = true)),
  });
  assert.equal(ran, false);
  assert.equal(updated.saved, true);
  assert.deepEqual(updated.removed, []);
  assert.equal(updated.done, undefined);
});

Deno.test("store: after a failed rename the keychain is undone only when nothing was revoked or spent", async () => {
  const cases = [
    { name: "plain", options: {}, undone: true },
    { name: "spends", options: { spends: true }, undone: false },
    {
      name: "revoked",
      options: { irreversible: () => Promise.resolve("revoked") },
      undone: false,
    },
  ];
  for (const { name, options, undone } of cases) {
    const dir = await tempConfigDir(SAMPLE_OAUTH);
    const events: string[] = [];
    let restore = () => {};
    try {
      await assert.rejects(
        updateConfig({ dir, file: `${dir}/config` }, dropSessions, {
          ...options,
          secrets: recordingSecrets(events, {
            write: () => Promise.resolve(void (restore = failRenamesInto(dir))),
          }),
        }),
        (e: unknown) =>
          (e instanceof SavedNothing) === (name === "revoked") &&
          (e as Error).message.startsWith("Failed to save Ably config"),
      );
    } finally {
      restore();
    }
    assert.deepEqual(events, undone ? ["write", "undo"] : ["write"], name);
  }
});

const SHARED_TWO_HOSTS = `[accounts.a]
authMethod = "oauth"
oauthHost = "first.example"
oauthSessionKey = "jane@x.example::ably.com"

[accounts.b]
authMethod = "oauth"
oauthHost = "second.example"
oauthSessionKey = "jane@x.example::ably.com"

[oauthSessions."jane@x.example::ably.com"]
accessToken = "ably_oat_aaaaaaaaaaaa"
refreshToken = "ably_ort_bbbbbbbbbbbb"
`;

Deno.test("store: a removed session is revoked at the oauthHost of the first alias using it", async () => {
  const dir = await tempConfigDir(SHARED_TWO_HOSTS);
  const updated = await updateConfig({ dir, file: `${dir}/config` }, dropSessions);
  assert.deepEqual(updated.removed, [{
    sessionKey: "jane@x.example::ably.com",
    host: "first.example",
    aliases: ["a", "b"],
    accessToken: "ably_oat_aaaaaaaaaaaa",
    refreshToken: "ably_ort_bbbbbbbbbbbb",
  }]);
});

Deno.test("store: tokens another session still holds are not counted as removed", async () => {
  const copy = `
[oauthSessions."jane@x.example::other.example"]
accessToken = "ably_oat_aaaaaaaaaaaa"
refreshToken = "ably_ort_bbbbbbbbbbbb"
`;
  const dir = await tempConfigDir(SHARED_TWO_HOSTS + copy);
  const updated = await updateConfig({ dir, file: `${dir}/config` }, (config) => {
    delete config.oauthSessions!["jane@x.example::ably.com"];
    return { changed: true, value: undefined };
  });
  assert.equal(updated.saved, true);
  assert.deepEqual(updated.removed, []);
});

Deno.test("store: a removed keychain session whose item cannot be read stops the update, unless removeUnreadable says to report it unreadable", async () => {
  const text = `[accounts.a]
authMethod = "oauth"
oauthSessionKey = "jane@x.example::ably.com"

[oauthSessions."jane@x.example::ably.com"]
accessTokenExpiresAt = 1
credentialStore = "keychain"
`;
  const dir = await tempConfigDir(text);
  const location = { dir, file: `${dir}/config` };
  const secrets = recordingSecrets([], { previous: () => Promise.reject(new Error("locked")) });
  const logout = (config: AblyConfig) => {
    delete config.accounts!.a;
    return dropSessions(config);
  };
  await assert.rejects(updateConfig(location, logout, { secrets }), /^Error: locked$/);
  assert.equal(await Deno.readTextFile(location.file), text);
  const updated = await updateConfig(location, logout, { secrets, removeUnreadable: true });
  assert.equal(updated.saved, true);
  assert.deepEqual(updated.removed, [{
    sessionKey: "jane@x.example::ably.com",
    host: "ably.com",
    aliases: ["a"],
    unreadable: "locked",
    store: "keychain",
  }]);
});

Deno.test({
  name:
    "store: a hard-linked config is replaced, and the warning says the other link keeps the old contents",
  ignore: isWindows,
}, async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const other = `${dir}/dotfiles-copy`;
  await Deno.link(`${dir}/config`, other);
  const warnings: string[] = [];
  await updateConfig({ dir, file: `${dir}/config` }, dropSessions, {
    warn: (message) => warnings.push(message),
  });
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0], /has other hard links; they keep its contents from before this change/);
  assert.equal(await Deno.readTextFile(other), SAMPLE_OAUTH, "the other link is left as it was");
  assert.ok(!(await Deno.readTextFile(`${dir}/config`)).includes("oauthSessions"));
  // Once replaced, the config has one name again: no warning on the next update.
  await updateConfig({ dir, file: `${dir}/config` }, addAccount("later"), {
    warn: (message) => warnings.push(message),
  });
  assert.equal(warnings.length, 1);
});

Deno.test("store: a file another program rewrites while the update revokes is read again and the change redone on it; nothing is revoked twice", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const edited = `${SAMPLE_OAUTH}\n[accounts.added]\naccountId = "by-the-official-cli"\n`;
  const handed: string[][] = [];
  const notes: string[] = [];
  let plans = 0;
  const { removed, done } = await updateConfig({ dir, file: `${dir}/config` }, (config) => {
    plans++;
    delete config.oauthSessions;
    return { changed: true, value: undefined };
  }, {
    note: (message) => notes.push(message),
    irreversible: async (sessions) => {
      handed.push(sessions.flatMap((s) => [s.accessToken!, s.refreshToken!]));
      // As the official CLI writes: in place, no lock.
      if (handed.length === 1) await Deno.writeTextFile(`${dir}/config`, edited);
      return handed.length;
    },
  });
  assert.equal(plans, 2, "the plan ran again on the fresh read");
  assert.equal(handed.length, 1, "the tokens were handed on once");
  assert.equal(done, 1);
  assert.equal(removed.length, 1);
  assert.match(notes.join("\n"), /was changed by another program meanwhile: reading it again/);
  const text = await Deno.readTextFile(`${dir}/config`);
  assert.ok(text.includes("by-the-official-cli"), "the other program's change is kept");
  assert.ok(!text.includes("oauthSessions"), "the update's change is made");
});

Deno.test("store: a file that keeps changing under an update gives up after five attempts, revoking nothing, naming the lock the other program does not take", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  let n = 0;
  let revoked = 0;
  await assert.rejects(
    updateConfig({ dir, file: `${dir}/config` }, async (config) => {
      await Deno.writeTextFile(`${dir}/config`, `${SAMPLE_OAUTH}\n# ${n++}\n`);
      delete config.oauthSessions;
      return { changed: true, value: undefined };
    }, { irreversible: () => Promise.resolve(revoked++) }),
    (e: unknown) =>
      e instanceof ConfigError && !(e instanceof SavedNothing) &&
      /kept changing while this update was made \(another program writes it without taking .*config\.lock\)/
        .test(e.message),
  );
  assert.equal(n, 5);
  assert.equal(revoked, 0, "the file changed before the irreversible step each time");
  assert.ok((await Deno.readTextFile(`${dir}/config`)).includes("oauthSessions"));
});

Deno.test("store: Ctrl-C during a plan that spends (a refresh) does not cancel the update once the plan has run; without `spends` it does, with nothing changed", async () => {
  const cases = [
    { name: "spends", spends: true, saved: true },
    { name: "spends nothing", spends: false, saved: false },
  ];
  for (const { name, spends, saved } of cases) {
    const dir = await tempConfigDir(SAMPLE_OAUTH);
    const controller = new AbortController();
    const update = updateConfig({ dir, file: `${dir}/config` }, (config) => {
      // The refresh answered (its refresh token is spent), and then Ctrl-C.
      controller.abort();
      const session = config.oauthSessions!["jane@acme.example::ably.com"];
      session.accessToken = "ably_oat_rotated_1234";
      session.refreshToken = "ably_ort_rotated_5678";
      return { changed: true, value: "new pair", retired: ["ably_oat_3f9c0d2e7b1a4c58"] };
    }, { signal: controller.signal, spends });
    const text = () => Deno.readTextFile(`${dir}/config`);
    if (saved) {
      const updated = await update;
      assert.equal(updated.saved, true, name);
      assert.equal(updated.value, "new pair", name);
      assert.match(await text(), /accessToken = "ably_oat_rotated_1234"/, name);
      assert.match(await text(), /refreshToken = "ably_ort_rotated_5678"/, name);
    } else {
      await assert.rejects(update, Cancelled, name);
      assert.equal(await text(), SAMPLE_OAUTH, name);
    }
  }
});

Deno.test("store: a file that keeps changing after the irreversible step ran gives up as SavedNothing, naming the tokens already handed on", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  let plans = 0;
  let revoked = 0;
  const rewrite = () => Deno.writeTextFile(`${dir}/config`, `${SAMPLE_OAUTH}\n# ${plans}\n`);
  const error = await updateConfig({ dir, file: `${dir}/config` }, async (config) => {
    // From the second attempt on, another program rewrites the file before each check.
    if (++plans > 1) await rewrite();
    delete config.oauthSessions;
    return { changed: true, value: undefined };
  }, {
    irreversible: async () => {
      revoked++;
      await rewrite(); // after the first attempt's revocation
      return "revoked";
    },
  }).catch((e) => e);
  assert.ok(error instanceof SavedNothing, String(error));
  assert.ok(error.failure instanceof ConfigError, String(error.failure));
  assert.match(error.message, /kept changing while this update was made/);
  assert.equal(error.done, "revoked");
  assert.deepEqual(error.removed.map((s: { sessionKey: string }) => s.sessionKey), [
    "jane@acme.example::ably.com",
  ]);
  assert.equal(plans, 5);
  assert.equal(revoked, 1, "the tokens were handed on once");
  assert.ok((await Deno.readTextFile(`${dir}/config`)).includes("oauthSessions"));
});

Deno.test("store: an update whose lock file is removed while it revokes (the config untouched) is redone under the new lock; nothing is revoked twice", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const notes: string[] = [];
  let plans = 0;
  let handed = 0;
  const { saved, done } = await updateConfig({ dir, file: `${dir}/config` }, (config) => {
    plans++;
    delete config.oauthSessions;
    return { changed: true, value: undefined };
  }, {
    note: (message) => notes.push(message),
    irreversible: async () => {
      // A person removes the lock file (after a lock time-out, say): another run could now
      // lock a new one and read the same config.
      if (++handed === 1) await Deno.remove(`${dir}/config.lock`);
      return handed;
    },
  });
  assert.equal(plans, 2, "redone once the lock was found gone");
  assert.equal(handed, 1);
  assert.equal(done, 1);
  assert.equal(saved, true);
  assert.match(notes.join("\n"), /config\.lock was removed while this update held it/);
  assert.ok(!(await Deno.readTextFile(`${dir}/config`)).includes("oauthSessions"));
  await Deno.stat(`${dir}/config.lock`); // the redo locked a new lock file
});

Deno.test("store: Ctrl-C during an update redone after its tokens were revoked does not stop it: the redo is saved", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const edited = `${SAMPLE_OAUTH}\n[accounts.added]\naccountId = "by-the-official-cli"\n`;
  const controller = new AbortController();
  let plans = 0;
  const updated = await updateConfig({ dir, file: `${dir}/config` }, (config) => {
    plans++;
    delete config.oauthSessions;
    return { changed: true, value: "done" };
  }, {
    signal: controller.signal,
    irreversible: async () => {
      // Revoked; then another program writes the file, and Ctrl-C.
      await Deno.writeTextFile(`${dir}/config`, edited);
      controller.abort();
      return "revoked";
    },
  });
  assert.equal(plans, 2);
  assert.equal(updated.saved, true);
  assert.equal(updated.done, "revoked");
  const text = await Deno.readTextFile(`${dir}/config`);
  assert.ok(text.includes("by-the-official-cli") && !text.includes("oauthSessions"), text);
});

Deno.test("store: a rewrite by another program that keeps the file's size and its modification time (the same millisecond) is still a change: the update is redone on it", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const path = `${dir}/config`;
  // Same length as SAMPLE_OAUTH: only the account's name differs.
  const edited = SAMPLE_OAUTH.replace('accountName = "Acme Ltd"', 'accountName = "Acme Plc"');
  assert.equal(edited.length, SAMPLE_OAUTH.length);
  let plans = 0;
  let handed = 0;
  await updateConfig({ dir, file: path }, (config) => {
    plans++;
    delete config.oauthSessions;
    return { changed: true, value: undefined };
  }, {
    irreversible: async () => {
      if (++handed > 1) return;
      const { mtime, atime } = await Deno.stat(path);
      // In place, within the millisecond of the last change: size and mtime as they were.
      await Deno.writeTextFile(path, edited);
      await Deno.utime(path, atime!, mtime!);
      assert.equal((await Deno.stat(path)).mtime?.getTime(), mtime?.getTime());
    },
  });
  assert.equal(plans, 2, "redone on the other program's file");
  assert.equal(handed, 1);
  const text = await Deno.readTextFile(path);
  assert.ok(text.includes('accountName = "Acme Plc"'), "the other program's change is kept");
  assert.ok(!text.includes("oauthSessions"), text);
});

Deno.test("store: a config another program rewrites with the same bytes while the update revokes is not a change: nothing is redone", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const notes: string[] = [];
  let plans = 0;
  const { saved } = await updateConfig({ dir, file: `${dir}/config` }, (config) => {
    plans++;
    delete config.oauthSessions;
    return { changed: true, value: undefined };
  }, {
    note: (message) => notes.push(message),
    irreversible: async () => {
      const before = await Deno.stat(`${dir}/config`);
      // Same text, written again (in place, as the official CLI writes): a new mtime.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await Deno.writeTextFile(`${dir}/config`, SAMPLE_OAUTH);
      const after = await Deno.stat(`${dir}/config`);
      assert.notEqual(after.mtime?.getTime(), before.mtime?.getTime());
    },
  });
  assert.equal(saved, true);
  assert.equal(plans, 1, notes.join("\n"));
  assert.deepEqual(notes, []);
});

Deno.test("store: an update redone on an unchanged file (its lock was removed) parses it afresh, not the basis its plan already edited: the tokens it removes are still found", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const path = `${dir}/config`;
  const basis = (await readSnapshot(path))!;
  let handed = 0;
  const updated = await updateConfig({ dir, file: path }, (config) => {
    delete config.oauthSessions;
    return { changed: true, value: undefined };
  }, {
    basis,
    irreversible: async () => {
      if (++handed === 1) await Deno.remove(`${dir}/config.lock`);
    },
  });
  assert.equal(handed, 1);
  assert.deepEqual(updated.removed.map((s) => [s.accessToken, s.refreshToken]), [
    ["ably_oat_3f9c0d2e7b1a4c58", "ably_ort_91b2c7d4e5f60718"],
  ]);
});

Deno.test("store: an update redone on a fresh read puts the keychain back first, then stages it again from the fresh read", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const edited = `${SAMPLE_OAUTH}\n[accounts.added]\naccountId = "by-the-official-cli"\n`;
  const events: string[] = [];
  await updateConfig({ dir, file: `${dir}/config` }, dropSessions, {
    secrets: recordingSecrets(events),
    irreversible: async () => {
      events.push("irreversible");
      await Deno.writeTextFile(`${dir}/config`, edited);
    },
  });
  assert.deepEqual(events, ["write", "irreversible", "undo", "write", "cleanUp"]);
});
