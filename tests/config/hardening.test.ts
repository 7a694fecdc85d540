/** Issue 9: the config store against a hostile or careless environment. */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { type Plan, readSnapshot, SavedNothing, updateConfig } from "../../src/config/store.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { Cancelled } from "../../src/errors.ts";
import { withFileLock } from "../../src/config/lock.ts";
import type { ConfigLocation } from "../../src/config/location.ts";
import type { AblyConfig } from "../../src/config/schema.ts";
import { addAccount, SAMPLE_LEGACY, SAMPLE_OAUTH } from "../helpers/fixtures.ts";
import { namesIn, tempConfigDir } from "../helpers/cli.ts";
import { withDeadline } from "../helpers/deadline.ts";

const isWindows = Deno.build.os === "windows";
const isRoot = !isWindows && Deno.uid() === 0;
const helper = (name: string) => fromFileUrl(new URL(`../helpers/${name}`, import.meta.url));

function at(dir: string): ConfigLocation {
  return { dir, file: `${dir}/config` };
}

/** Adds account `x` and drops every OAuth session, so the irreversible step has tokens to take. */
function dropSessions(config: AblyConfig): Plan<void> {
  config.accounts!.x = { accountId: "x" };
  for (const alias in config.accounts) delete config.accounts[alias].oauthSessionKey;
  delete config.oauthSessions;
  return { changed: true, value: undefined };
}

const readConfig = async (path: string, options: { warn?: (m: string) => void } = {}) =>
  (await readSnapshot(path, options.warn))?.config;

Deno.test({
  name:
    "store: 40 concurrent writers in 8 processes through two symlinked directories lose nothing",
  ignore: isWindows,
  async fn() {
    const root = await tempConfigDir();
    await Deno.mkdir(`${root}/t`);
    await Deno.writeTextFile(`${root}/t/config`, "[accounts]\n");
    for (const side of ["A", "B"]) {
      await Deno.mkdir(`${root}/${side}`);
      await Deno.symlink(`${root}/t/config`, `${root}/${side}/config`);
    }
    // 8 processes, alternating A and B, each with 5 updates under way at once: 40 writers.
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, p) =>
        new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--allow-read",
            "--allow-write",
            helper("add_account.ts"),
            `${root}/${p % 2 ? "B" : "A"}`,
            ...Array.from({ length: 5 }, (_, i) => `a${p * 5 + i}`),
          ],
          stderr: "piped",
        }).output()),
    );
    for (const run of runs) assert.ok(run.success, new TextDecoder().decode(run.stderr));
    const config = await readConfig(`${root}/t/config`);
    assert.equal(Object.keys(config!.accounts!).length, 40);
    // One lock, beside the real file; the links stay links; no temp file is left.
    assert.deepEqual(await namesIn(`${root}/t`), ["config", "config.lock"]);
    assert.deepEqual(await namesIn(`${root}/A`), ["config"]);
    assert.ok((await Deno.lstat(`${root}/A/config`)).isSymlink);
  },
});

Deno.test({
  name: "store: a FIFO config fails at once with a clear error, for reads and updates",
  ignore: isWindows,
  async fn() {
    const dir = await tempConfigDir();
    const made = await new Deno.Command("mkfifo", { args: [`${dir}/config`] }).output();
    assert.ok(made.success);
    const started = performance.now();
    for (
      const attempt of [
        () => readConfig(`${dir}/config`),
        () => updateConfig(at(dir), addAccount("x")),
      ]
    ) {
      await assert.rejects(
        attempt(),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.message.includes(
            `Ably config ${dir}/config is a FIFO (named pipe), not a regular file`,
          ),
      );
    }
    const elapsed = performance.now() - started;
    console.log(`FIFO refused in ${elapsed.toFixed(1)}ms`);
    assert.ok(elapsed < 1000, `took ${elapsed}ms`);
  },
});

Deno.test({
  name: "store: a config symlinked to /dev/zero, a directory or an oversized file is refused",
  ignore: isWindows,
  async fn() {
    const dir = await tempConfigDir();
    await Deno.symlink("/dev/zero", `${dir}/config`);
    await assert.rejects(readConfig(`${dir}/config`), /is a device, not a regular file/);
    await assert.rejects(updateConfig(at(dir), addAccount("x")), /is a device/);

    const other = await tempConfigDir();
    await Deno.mkdir(`${other}/config`);
    await assert.rejects(readConfig(`${other}/config`), /is a directory, not a regular file/);

    const big = await tempConfigDir();
    const file = await Deno.open(`${big}/config`, { write: true, create: true });
    await file.truncate(33 * 1024 * 1024); // sparse: no disk used
    file.close();
    await assert.rejects(readConfig(`${big}/config`), /more than the 32 MiB/);
  },
});

Deno.test({
  name: "store: a write keeps the replaced file's owner and group and forces 0600",
  ignore: !isRoot, // only root may give a file to another user
  async fn() {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    await Deno.chown(`${dir}/config`, 4321, 4322);
    await Deno.chmod(`${dir}/config`, 0o644);
    await updateConfig(at(dir), addAccount("x"));
    const info = await Deno.stat(`${dir}/config`);
    assert.equal(info.uid, 4321);
    assert.equal(info.gid, 4322);
    assert.equal(info.mode! & 0o777, 0o600);
  },
});

Deno.test({
  name: "store: a config without owner write permission is refused, nothing changes",
  ignore: isWindows,
  async fn() {
    const dir = await tempConfigDir(SAMPLE_OAUTH);
    await Deno.chmod(`${dir}/config`, 0o444);
    let committed = false;
    await assert.rejects(
      updateConfig(at(dir), dropSessions, {
        irreversible: () => Promise.resolve(void (committed = true)),
      }),
      (e: unknown) =>
        e instanceof ConfigError && e.message.includes(`${dir}/config is read-only (mode 0444)`) &&
        e.message.includes(`chmod u+w ${dir}/config`),
    );
    assert.equal(committed, false);
    assert.equal(await Deno.readTextFile(`${dir}/config`), SAMPLE_OAUTH);
    assert.equal((await Deno.stat(`${dir}/config`)).mode! & 0o777, 0o444);
    assert.deepEqual(await namesIn(dir), ["config", "config.lock"]);
  },
});

Deno.test("store: config.lock being a directory names the path and the fix", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  await Deno.mkdir(`${dir}/config.lock`);
  await assert.rejects(
    updateConfig(at(dir), addAccount("x")),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message.includes(`The config lock ${dir}/config.lock is a directory`) &&
      e.message.includes("Remove it"),
  );
  assert.equal(await Deno.readTextFile(`${dir}/config`), SAMPLE_LEGACY);
});

Deno.test({
  name: "store: a read-only config directory names the directory and what to do",
  ignore: isWindows || isRoot, // root ignores directory permissions
  async fn() {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    await Deno.chmod(dir, 0o500);
    try {
      await assert.rejects(
        updateConfig(at(dir), addAccount("x")),
        (e: unknown) => e instanceof ConfigError && e.message.includes(`chmod u+w ${dir}`),
      );
    } finally {
      await Deno.chmod(dir, 0o700);
    }
  },
});

Deno.test("store: the irreversible step runs with the new file written and private, before the rename", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  let seen: { names: string[]; config: string; temp: string; mode?: number } | undefined;
  await updateConfig(
    at(dir),
    dropSessions,
    {
      irreversible: async () => {
        const names = await namesIn(dir);
        const temp = names.find((n) => n.endsWith(".tmp"))!;
        seen = {
          names,
          config: await Deno.readTextFile(`${dir}/config`),
          temp: await Deno.readTextFile(`${dir}/${temp}`),
          mode: (await Deno.stat(`${dir}/${temp}`)).mode ?? undefined,
        };
      },
    },
  );
  assert.ok(seen, "the irreversible step was called");
  assert.equal(seen.config, SAMPLE_OAUTH, "the old file is still in place");
  assert.match(seen.temp, /\[accounts\.x\]/);
  assert.equal(seen.temp, await Deno.readTextFile(`${dir}/config`));
  if (!isWindows) assert.equal(seen.mode! & 0o777, 0o600);
  assert.equal(seen.names.filter((n) => n.endsWith(".tmp")).length, 1);
});

Deno.test("store: a failing irreversible step changes nothing, leaves no temp file, and says so", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const boom = new Error("revocation failed");
  await assert.rejects(
    updateConfig(at(dir), dropSessions, { irreversible: () => Promise.reject(boom) }),
    (e: unknown) => e instanceof SavedNothing && e.failure === boom,
  );
  assert.equal(await Deno.readTextFile(`${dir}/config`), SAMPLE_OAUTH);
  assert.deepEqual(await namesIn(dir), ["config", "config.lock"]);
});

Deno.test("store: the irreversible step is never called when the config cannot be serialised", async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  let committed = false;
  await assert.rejects(
    updateConfig(at(dir), (config) => {
      dropSessions(config);
      let deep: Record<string, unknown> = {};
      config.accounts!.deep = deep as never;
      for (let i = 0; i < 2000; i++) deep = (deep.d = {}) as Record<string, unknown>;
      return { changed: true, value: undefined };
    }, { irreversible: () => Promise.resolve(void (committed = true)) }),
    (e: unknown) =>
      e instanceof ConfigError && /cannot be written as TOML/.test(e.message) &&
      e.message.includes("Nothing was changed"),
  );
  assert.equal(committed, false);
  assert.equal(await Deno.readTextFile(`${dir}/config`), SAMPLE_OAUTH);
  assert.deepEqual(await namesIn(dir), ["config", "config.lock"]);
});

Deno.test("store: the irreversible step is never called when the temp file cannot be written", async () => {
  const dir = await tempConfigDir();
  const real = await tempConfigDir(SAMPLE_OAUTH);
  // The link points into a directory that does not exist: no temp file can be created there.
  await Deno.symlink(`${real}/missing/config`, `${dir}/config`);
  let committed = false;
  await assert.rejects(
    updateConfig(at(dir), dropSessions, {
      irreversible: () => Promise.resolve(void (committed = true)),
    }),
    ConfigError,
  );
  assert.equal(committed, false);
});

Deno.test("lock: waiting tells who holds the lock after about a second, and a signal stops it", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const release = Promise.withResolvers<void>();
  const held = Promise.withResolvers<void>();
  const holder = withFileLock(`${dir}/config.lock`, 1000, () => {
    held.resolve();
    return release.promise;
  });
  await withDeadline(5_000, "the holder to take the lock", held.promise);
  const controller = new AbortController();
  const waits: { pid: string | undefined; after: number }[] = [];
  const started = performance.now();
  const waiting = updateConfig(at(dir), addAccount("x"), {
    signal: controller.signal,
    onWait: (pid) => {
      waits.push({ pid, after: performance.now() - started });
      setTimeout(() => controller.abort(), 100);
    },
  });
  await assert.rejects(waiting, Cancelled);
  const elapsed = performance.now() - started;
  release.resolve();
  await holder;
  assert.equal(waits.length, 1);
  assert.equal(waits[0].pid, String(Deno.pid));
  assert.ok(waits[0].after >= 950 && waits[0].after < 1500, `after ${waits[0].after}ms`);
  assert.ok(elapsed < waits[0].after + 400, `abort took ${elapsed - waits[0].after}ms`);
  assert.equal(await Deno.readTextFile(`${dir}/config`), SAMPLE_LEGACY);
  // Already aborted: not even a wait.
  await assert.rejects(
    updateConfig(at(dir), addAccount("x"), { signal: AbortSignal.abort() }),
    Cancelled,
  );
});

Deno.test({
  name: "store: a config or directory writable by others draws a warning on read and update",
  ignore: isWindows,
  async fn() {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    const quiet: string[] = [];
    await readConfig(`${dir}/config`, { warn: (m) => quiet.push(m) });
    await updateConfig(at(dir), addAccount("x"), { warn: (m) => quiet.push(m) });
    assert.deepEqual(quiet, []);

    await Deno.chmod(`${dir}/config`, 0o666);
    await Deno.chmod(dir, 0o777);
    try {
      for (
        const run of [
          (warn: (m: string) => void) => readConfig(`${dir}/config`, { warn }),
          (warn: (m: string) => void) =>
            updateConfig(at(dir), () => ({ changed: false, value: undefined }), { warn }),
        ]
      ) {
        const warnings: string[] = [];
        await run((m) => warnings.push(m));
        assert.deepEqual(warnings, [
          `Ably config ${dir}/config is writable by group and others (mode 0666); it holds your tokens. Run: chmod 600 ${dir}/config`,
          `Config directory ${dir} is writable by group and others (mode 0777); others could replace your Ably config. Run: chmod go-w ${dir}`,
        ]);
      }
    } finally {
      await Deno.chmod(dir, 0o700);
    }
  },
});

Deno.test({
  name: "store: stale temp files of ours go at every locked update, others' never",
  ignore: isWindows,
  async fn() {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    const ours = `${dir}/.config.99999-deadbeef.tmp`;
    const otherFile = `${dir}/.ably-config.99999-deadbeef.tmp`; // another config's, beside ours
    const lookAlike = `${dir}/.config.backup.tmp`; // not a name we ever make
    for (const path of [ours, otherFile, lookAlike]) await Deno.writeTextFile(path, "secret");
    const foreign = `${dir}/.config.88888-cafebabe.tmp`;
    if (isRoot) {
      await Deno.writeTextFile(foreign, "another user's");
      await Deno.chown(foreign, 4321, 4321);
    }
    // Nothing to write, and still the leftover holding secrets is removed.
    await updateConfig(at(dir), () => ({ changed: false, value: undefined }));
    const names = await namesIn(dir);
    assert.ok(!names.includes(".config.99999-deadbeef.tmp"), names.join());
    for (const kept of [otherFile, lookAlike, ...(isRoot ? [foreign] : [])]) {
      assert.ok(names.includes(kept.slice(dir.length + 1)), `${kept} was removed`);
    }
  },
});

Deno.test({
  name: "store: a created config directory and each created parent are 0700",
  ignore: isWindows,
  async fn() {
    const root = await tempConfigDir();
    await updateConfig(at(`${root}/one/two/.ably`), addAccount("x"));
    for (const path of ["one", "one/two", "one/two/.ably"]) {
      assert.equal((await Deno.stat(`${root}/${path}`)).mode! & 0o777, 0o700, path);
    }
  },
});

// strace shows what the kernel was asked, so these properties are checked, not assumed.
const hasStrace = !isWindows &&
  await new Deno.Command("strace", { args: ["-V"], stdout: "null", stderr: "null" }).output()
    .then((r) => r.success, () => false);

Deno.test({
  name:
    "store: the temp file is created 0600 and fsynced before it is renamed, the directory fsynced after (strace)",
  // CI installs strace; a developer without it skips.
  ignore: isWindows || (!hasStrace && !Deno.env.get("CI")),
  async fn() {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    const trace = `${dir}.trace`;
    const run = await new Deno.Command("strace", {
      args: [
        "-f",
        "-qq",
        "-o",
        trace,
        "-e",
        "trace=open,openat,fsync,fdatasync,rename,renameat,renameat2,dup,dup2,dup3,fcntl",
        Deno.execPath(),
        "run",
        "--allow-read",
        "--allow-write",
        helper("write_config.ts"),
        dir,
      ],
      stderr: "piped",
    }).output();
    assert.ok(run.success, new TextDecoder().decode(run.stderr));
    const lines = (await Deno.readTextFile(trace)).split("\n");
    await Deno.remove(trace);
    const open = lines.findIndex((l) =>
      /open(at)?\(.*\/\.config\.\d+-[0-9a-f]{8}\.tmp".*O_CREAT/.test(l)
    );
    assert.ok(open >= 0, "the temp file was created");
    assert.match(lines[open], /O_EXCL/);
    assert.match(lines[open], /, 0600\) = \d+$/, "created 0600, before any byte is written");
    const rename = lines.findIndex((l, i) =>
      i > open && /rename(at2?)?\(.*\.tmp".*config"/.test(l)
    );
    assert.ok(rename > open, "the temp file was renamed over the config");
    // The fd and its duplicates (Deno syncs through a dup), then an fsync of one of them.
    const fds = new Set([/= (\d+)$/.exec(lines[open])![1]]);
    let synced = false;
    for (const line of lines.slice(open + 1, rename)) {
      const dup = /(?:fcntl\((\d+), F_DUPFD[^)]*|dup[23]?\((\d+)[^)]*)\)\s+= (\d+)$/.exec(line);
      if (dup && fds.has(dup[1] ?? dup[2])) fds.add(dup[3]);
      const sync = /f(?:data)?sync\((\d+)/.exec(line);
      if (sync && fds.has(sync[1])) synced = true;
    }
    assert.ok(synced, "fsync of the temp file before the rename");
    // Then the directory is opened and fsynced (through the fd or a duplicate), making the
    // rename itself durable.
    const dirOpen = lines.findIndex((l, i) =>
      i > rename && l.includes(`"${dir}", O_RDONLY`) && /= \d+$/.test(l)
    );
    assert.ok(dirOpen > rename, "the directory was opened after the rename");
    const dirFds = new Set([/= (\d+)$/.exec(lines[dirOpen])![1]]);
    let dirSynced = false;
    for (const line of lines.slice(dirOpen + 1)) {
      const dup = /(?:fcntl\((\d+), F_DUPFD[^)]*|dup[23]?\((\d+)[^)]*)\)\s+= (\d+)$/.exec(line);
      if (dup && dirFds.has(dup[1] ?? dup[2])) dirFds.add(dup[3]);
      const sync = /f(?:data)?sync\((\d+)\)\s+= 0$/.exec(line);
      if (sync && dirFds.has(sync[1])) dirSynced = true;
    }
    assert.ok(dirSynced, "fsync of the directory after the rename");
  },
});

Deno.test({
  name: "store: exposure warnings by mode: group-writable file, sticky and non-sticky directories",
  ignore: isWindows,
  async fn() {
    const cases: [name: string, file: number, dir: number, expected: RegExp[]][] = [
      ["0660 config", 0o660, 0o700, [/config is writable by group \(mode 0660\)/]],
      ["0602 config", 0o602, 0o700, [/config is writable by others \(mode 0602\)/]],
      ["0600 config in a sticky 1777 directory", 0o600, 0o1777, []],
      ["0600 config in a 0777 directory", 0o600, 0o777, [
        /Config directory .* is writable by group and others \(mode 0777\)/,
      ]],
      ["0600 config in a 0770 directory", 0o600, 0o770, [
        /Config directory .* is writable by group \(mode 0770\)/,
      ]],
    ];
    for (const [name, fileMode, dirMode, expected] of cases) {
      const dir = await tempConfigDir(SAMPLE_LEGACY);
      try {
        await Deno.chmod(`${dir}/config`, fileMode);
        await Deno.chmod(dir, dirMode);
        const warnings: string[] = [];
        await readConfig(`${dir}/config`, { warn: (m) => warnings.push(m) });
        assert.equal(warnings.length, expected.length, `${name}: ${warnings.join("\n")}`);
        expected.forEach((pattern, i) => assert.match(warnings[i], pattern, name));
      } finally {
        await Deno.chmod(dir, 0o700);
        await Deno.remove(dir, { recursive: true });
      }
    }
  },
});

Deno.test({
  name: "lock: a FIFO as config.lock is refused with a clear error, within 20 seconds",
  ignore: isWindows,
  async fn() {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    try {
      const made = await new Deno.Command("mkfifo", { args: [`${dir}/config.lock`] }).output();
      assert.ok(made.success);
      // Another process, killed at the deadline: a hang fails the test instead of stalling it.
      const run = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-read", "--allow-write", helper("add_account.ts"), dir, "x"],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(20_000),
      }).output();
      const stderr = new TextDecoder().decode(run.stderr);
      assert.equal(run.signal, null, "killed at the deadline: it hung");
      assert.equal(run.success, false);
      assert.match(
        stderr,
        new RegExp(`The config lock ${dir}/config\\.lock is a special file, not a regular file`),
      );
      assert.match(stderr, /Remove it/);
      assert.equal(await Deno.readTextFile(`${dir}/config`), SAMPLE_LEGACY);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "store: a temp file whose write fails (file-size limit) is removed, the config unchanged",
  ignore: isWindows,
  async fn() {
    const dir = await tempConfigDir(SAMPLE_LEGACY);
    try {
      // 1 KiB limit; SIGXFSZ ignored so the write fails with EFBIG instead of killing deno.
      const script =
        `ulimit -f 1; trap "" XFSZ; exec "$0" run --allow-read --allow-write "$1" "$2"`;
      const run = await new Deno.Command("bash", {
        args: ["-c", script, Deno.execPath(), helper("write_big_config.ts"), dir],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(30_000),
      }).output();
      const stdout = new TextDecoder().decode(run.stdout);
      assert.equal(run.code, 3, `${stdout}${new TextDecoder().decode(run.stderr)}`);
      assert.match(stdout, /^Failed to save Ably config /);
      assert.equal(await Deno.readTextFile(`${dir}/config`), SAMPLE_LEGACY);
      assert.deepEqual(await namesIn(dir), ["config", "config.lock"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
