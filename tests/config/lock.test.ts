/** The config lock: exclusive, re-checked against the path, waiters served as it is freed. */
import assert from "node:assert/strict";
import { withFileLock } from "../../src/config/lock.ts";
import { type Plan, readSnapshot, updateConfig } from "../../src/config/store.ts";
import type { AblyConfig } from "../../src/config/schema.ts";
import { addAccount, SAMPLE_LEGACY, SAMPLE_OAUTH } from "../helpers/fixtures.ts";
import { tempConfigDir } from "../helpers/cli.ts";
import { until, withDeadline } from "../helpers/deadline.ts";
import { cannotRunAsUser, evalAsUser, sayWhySkipped } from "../helpers/as-user.ts";

const isWindows = Deno.build.os === "windows";
const HOLD_LOCK = new URL("../helpers/hold_lock.ts", import.meta.url).pathname;

/** Adds `alias` and drops the OAuth sessions: the irreversible step then has tokens to take. */
function addAccountDroppingSessions(alias: string) {
  return (config: AblyConfig): Plan<void> => {
    config.accounts![alias] = { accountId: alias };
    delete config.oauthSessions;
    return { changed: true, value: undefined };
  };
}

Deno.test({
  name: "lock: a lock file removed while held is never held by two runs at once",
  ignore: isWindows, // an open file cannot be removed there
}, async () => {
  const dir = await tempConfigDir();
  const lock = `${dir}/config.lock`;
  try {
    // A and B overlap by construction (B never saw A's file); C, queued on A's file, must
    // notice it is no longer the lock and queue again behind B.
    const critical = (release: Promise<void>, entered?: () => void) => async () => {
      entered?.();
      await release;
    };
    const releaseA = Promise.withResolvers<void>();
    const enteredA = Promise.withResolvers<void>();
    const a = withFileLock(lock, 5_000, critical(releaseA.promise, enteredA.resolve));
    await withDeadline(5_000, "A to take the lock", enteredA.promise);
    // C opens the file A holds and waits on it.
    const releaseC = Promise.withResolvers<void>();
    let cEntered = false;
    const c = withFileLock(lock, 5_000, critical(releaseC.promise, () => cEntered = true));
    await new Promise((r) => setTimeout(r, 50));
    // Someone removes the lock file; B creates and locks a new one.
    await Deno.remove(lock);
    const releaseB = Promise.withResolvers<void>();
    const enteredB = Promise.withResolvers<void>();
    const b = withFileLock(lock, 5_000, critical(releaseB.promise, enteredB.resolve));
    await withDeadline(5_000, "B to take the new lock", enteredB.promise);
    // A lets go: C is granted the old, unlinked file and must not run beside B.
    releaseA.resolve();
    await a;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(cEntered, false, "C ran while B held the lock on the file at the path");
    releaseB.resolve();
    await b;
    await until("C to take the lock on the file at the path", () => cEntered);
    releaseC.resolve();
    await c;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "store: a temp file whose writer still holds a removed lock file is not cleaned up",
  ignore: isWindows,
}, async () => {
  const dir = await tempConfigDir(SAMPLE_OAUTH);
  const location = { dir, file: `${dir}/config` };
  try {
    // A has written its temp file and is in its last step before the rename.
    const inCommit = Promise.withResolvers<void>();
    const finishCommit = Promise.withResolvers<void>();
    const a = updateConfig(location, addAccountDroppingSessions("from-a"), {
      irreversible: async () => {
        inCommit.resolve();
        await finishCommit.promise;
      },
    });
    await withDeadline(5_000, "A to reach its commit", inCommit.promise);
    // Someone removes the lock file: B locks a new one and looks for abandoned temp files.
    await Deno.remove(`${dir}/config.lock`);
    await updateConfig(location, addAccount("from-b"));
    finishCommit.resolve();
    await a; // its temp file is still there to be renamed
    const config = (await readSnapshot(location.file))?.config;
    assert.ok(config?.accounts?.["from-a"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "store: a temp file left by a dead writer is still cleaned up",
}, async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  try {
    const left = `${dir}/.config.4242-0123abcd.tmp`;
    await Deno.writeTextFile(left, "secret", { mode: 0o600 });
    await updateConfig({ dir, file: `${dir}/config` }, addAccount("x"));
    await assert.rejects(Deno.stat(left), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lock: a waiter is served when the lock is freed, before its holder comes back", async () => {
  const dir = await tempConfigDir();
  const lock = `${dir}/config.lock`;
  try {
    // The holder lets go for 25 ms at a time, ten times, without yielding to the event loop
    // (as another process would not wait for ours): a waiter that polls from the event loop
    // never sees a gap, one queued in the kernel takes the first (two misses allowed for a
    // busy machine, where waking the waiting thread can take a while).
    const holder = await Deno.open(lock, { read: true, write: true, create: true });
    await holder.lock(true);
    let served = false;
    const waiter = withFileLock(lock, 10_000, () => Promise.resolve(served = true));
    await new Promise((r) => setTimeout(r, 30));
    let missed = 0;
    for (; missed < 10; missed++) {
      holder.unlockSync();
      const until = performance.now() + 25;
      while (performance.now() < until) { /* the gap */ }
      if (!holder.tryLockSync(true)) break; // the waiter has it
      await new Promise((r) => setTimeout(r, 30));
    }
    if (missed === 10) holder.unlockSync();
    await waiter;
    holder.close();
    assert.ok(served);
    assert.ok(missed <= 2, `the waiter was passed over ${missed} times`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lock: the time-out bounds a stall, not a queue: a wait whose holder keeps changing goes on; one holder for the whole time-out ends it", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const lockPath = `${dir}/config.lock`;
  const file = await Deno.open(lockPath, { read: true, write: true, create: true });
  const holdAs = async (pid: number) => {
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    await file.write(new TextEncoder().encode(`${pid}\n`));
  };
  try {
    await file.lock(true);
    // A queue that moves: a new holder every 150 ms for a second, then the lock is free.
    await holdAs(1001);
    const started = performance.now();
    const waiting = withFileLock(lockPath, 400, () => Promise.resolve("got it"));
    for (let pid = 1002; pid <= 1007; pid++) {
      await new Promise((r) => setTimeout(r, 150));
      await holdAs(pid);
    }
    await file.unlock();
    assert.equal(await waiting, "got it");
    assert.ok(performance.now() - started > 800, "waited longer than the time-out");

    // A stall: the same holder throughout.
    await file.lock(true);
    await holdAs(2001);
    const stalled = performance.now();
    await assert.rejects(
      withFileLock(lockPath, 400, () => Promise.resolve("never")),
      /Timed out after 400 ms waiting for the lock .*\(the lock file names process 2001, which showed no sign of progress\)/,
    );
    const after = performance.now() - stalled;
    assert.ok(after >= 390 && after < 2000, `gave up after ${Math.round(after)} ms`);
  } finally {
    file.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "lock: a lock file removed (and not replaced) while a run waits on it: the waiter locks a new file at the path, once, and records its pid there while it holds it",
  ignore: isWindows, // an open file cannot be removed there
}, async () => {
  const dir = await tempConfigDir();
  const lock = `${dir}/config.lock`;
  try {
    const holder = await Deno.open(lock, { read: true, write: true, create: true });
    await holder.lock(true);
    let runs = 0;
    let recorded = "";
    // Already queued on the holder's file when the call returns: tryLock failed synchronously.
    const waiter = withFileLock(lock, 5_000, async () => {
      runs++;
      recorded = await Deno.readTextFile(lock);
    });
    await Deno.remove(lock);
    // Past one look at the holder's pid (every 200 ms for this time-out) with no file to read.
    await new Promise((r) => setTimeout(r, 300));
    holder.unlockSync();
    holder.close();
    await withDeadline(5_000, "the waiter to take the new lock", waiter);
    assert.equal(runs, 1);
    assert.equal(recorded, `${Deno.pid}\n`);
    assert.equal(await Deno.readTextFile(lock), "", "a released lock names no holder");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lock: a holder whose heartbeat goes on is slow, not stuck: the wait outlasts the time-out, up to ten of them", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const lockPath = `${dir}/config.lock`;
  const file = await Deno.open(lockPath, { read: true, write: true, create: true });
  const beat = () => file.utime(new Date(), new Date());
  try {
    // Another ably process (pid 3001) holds the lock for 1.2 s, touching the file as it goes.
    await file.lock(true);
    await file.write(new TextEncoder().encode("3001\n"));
    const started = performance.now();
    const waiting = withFileLock(lockPath, 400, () => Promise.resolve("got it"));
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 150));
      await beat();
    }
    await file.unlock();
    assert.equal(await waiting, "got it");
    assert.ok(performance.now() - started > 1100, "waited longer than the time-out");

    // A heartbeat that never ends (a holder waiting on a dialog nobody answers): ten time-outs.
    await file.lock(true);
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    await file.write(new TextEncoder().encode("3002\n"));
    let beating = true;
    const beats = (async () => {
      while (beating) {
        await new Promise((r) => setTimeout(r, 20));
        await beat();
      }
    })();
    const capped = performance.now();
    await assert.rejects(
      withDeadline(
        10_000,
        "a wait on a holder whose heartbeat never ends",
        withFileLock(lockPath, 250, () => Promise.resolve("never")),
      ),
      /Timed out after 250 ms waiting for the lock .*held by process 3002/,
    );
    beating = false;
    await beats;
    const after = performance.now() - capped;
    assert.ok(after >= 2400 && after < 6000, `gave up after ${Math.round(after)} ms`);
  } finally {
    file.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "lock: a real holder stopped and continued in turn (starved) keeps its waiters; one left stopped times them out",
  ignore: isWindows,
}, async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const lockPath = `${dir}/config.lock`;
  const holder = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", HOLD_LOCK, lockPath],
    stdout: "piped",
  }).spawn();
  const reader = holder.stdout.getReader();
  try {
    await withDeadline(10_000, "the holder to lock", reader.read());
    // Starved: it runs 100 ms in every 400, for 4 s (the waiter's whole time-out is 1.5 s).
    let starving = true;
    const starve = (async () => {
      while (starving) {
        holder.kill("SIGSTOP");
        await new Promise((r) => setTimeout(r, 300));
        holder.kill("SIGCONT");
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const waiting = withFileLock(lockPath, 1_500, () => Promise.resolve("got it"))
      .catch((error: Error) => error.message);
    await new Promise((r) => setTimeout(r, 4_000));
    starving = false;
    await starve;
    holder.kill("SIGKILL"); // the kernel frees its lock
    assert.equal(await withDeadline(5_000, "the waiter", waiting), "got it");
    await holder.status;

    // Stopped for good: no heartbeat, so the time-out ends the wait.
    const stopped = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", HOLD_LOCK, lockPath],
      stdout: "piped",
    }).spawn();
    try {
      await withDeadline(10_000, "the second holder to lock", stopped.stdout.getReader().read());
      stopped.kill("SIGSTOP");
      const since = performance.now();
      await assert.rejects(
        withFileLock(lockPath, 600, () => Promise.resolve("never")),
        /Timed out/,
      );
      assert.ok(performance.now() - since < 3_000, "a stopped holder is not waited on for long");
    } finally {
      stopped.kill("SIGKILL");
      await stopped.status;
    }
  } finally {
    reader.releaseLock();
    await holder.stdout.cancel().catch(() => {});
    try {
      holder.kill("SIGKILL");
    } catch { /* already gone */ }
    await holder.status;
    await Deno.remove(dir, { recursive: true });
  }
});

// Only root can create a file for another user, or run a process as one.
const asUser = await cannotRunAsUser();
sayWhySkipped(asUser, "the lock file made by `sudo ably`");
const NOBODY = 65534;

Deno.test({
  name:
    "lock: a lock file made by `sudo ably` is given to the directory's owner; one that user cannot open is named with the fix",
  ignore: asUser !== undefined,
}, async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  await Deno.chown(dir, NOBODY, NOBODY);
  await Deno.chown(`${dir}/config`, NOBODY, NOBODY);
  await updateConfig({ dir, file: `${dir}/config` }, addAccount("by-root"));
  assert.equal(
    (await Deno.stat(`${dir}/config.lock`)).uid,
    NOBODY,
    "the lock follows the directory",
  );

  // A lock file left by an older version, root's and private: the user is told what to do.
  await Deno.remove(`${dir}/config.lock`);
  await Deno.writeTextFile(`${dir}/config.lock`, "1\n", { mode: 0o600 });
  const lock = new URL("../../src/config/lock.ts", import.meta.url);
  const file = JSON.stringify(`${dir}/config.lock`);
  const run = await evalAsUser({
    uid: NOBODY,
    gid: NOBODY,
    modules: [lock],
    script: (copied) =>
      `import { withFileLock } from ${JSON.stringify(copied(lock))};
      await withFileLock(${file}, 1000, () => Promise.resolve());`,
  });
  const said = new TextDecoder().decode(run.stderr);
  assert.ok(!run.success, said);
  assert.match(said, /belongs to another user \(uid 0\)\. Remove it \(sudo rm .*config\.lock\)/);
});

Deno.test("lock: a wait on an update of this same process times out on its own time-out: the holder's heartbeat is not progress there (one run's queued updates wait on each other)", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const lockPath = `${dir}/config.lock`;
  const release = Promise.withResolvers<void>();
  const entered = Promise.withResolvers<void>();
  // Held by this process, well past several heartbeats (every 500 ms).
  const holding = withFileLock(lockPath, 10_000, async () => {
    entered.resolve();
    await release.promise;
  });
  try {
    await withDeadline(5_000, "the holder to take the lock", entered.promise);
    const started = performance.now();
    const error = await withDeadline(
      10_000,
      "a wait on this process's own holder",
      withFileLock(lockPath, 800, () => Promise.resolve("got it")).catch((e) => e),
    );
    const elapsed = performance.now() - started;
    assert.match(String(error), new RegExp(`Timed out after 800 ms .*held by process ${Deno.pid}`));
    assert.ok(elapsed < 2_000, `waited ${Math.round(elapsed)} ms: heartbeats counted as progress`);
  } finally {
    release.resolve();
    await holding;
  }
});

Deno.test("lock: the heartbeat starts only when the holder says it may take a while (keepAlive), once however often it says so", async () => {
  const dir = await tempConfigDir(SAMPLE_LEGACY);
  const lockPath = `${dir}/config.lock`;
  const mtime = () => Deno.statSync(lockPath).mtime!.getTime();
  try {
    // Quick and local: no timer, the file untouched after the pid was recorded.
    await withFileLock(lockPath, 1_000, async () => {
      const recorded = mtime();
      await new Promise((r) => setTimeout(r, 1_200));
      assert.equal(mtime(), recorded, "no heartbeat without keepAlive");
    });
    // Something long ahead: the file is touched now and every half second.
    await withFileLock(lockPath, 1_000, async (held) => {
      const recorded = mtime();
      await new Promise((r) => setTimeout(r, 20));
      held.keepAlive();
      held.keepAlive();
      const first = mtime();
      assert.ok(first > recorded, "touched when the heartbeat starts");
      await new Promise((r) => setTimeout(r, 1_200));
      assert.ok(mtime() > first, "and again while it goes on");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
