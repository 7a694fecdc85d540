/**
 * The config lock: one exclusive OS lock per real config file, on `<file>.lock` beside it.
 * Waiters queue in the kernel; a wait times out only on a holder that makes no progress; a
 * holder can ask whether the lock it holds is still the file at the path (someone may have
 * removed it), so that it never commits an update another writer could overlap.
 */
import { ConfigError } from "./errors.ts";
import { Cancelled } from "../errors.ts";
import { formatDuration } from "../duration.ts";

/** How long a wait lasts before the caller is told who holds the lock. */
const LOCK_WAIT_NOTICE_MS = 1_000;
/** How often a holder touches the lock file to show that it is still making progress. */
const HEARTBEAT_MS = 500;
/**
 * However alive a holder looks, a wait ends after this many time-outs: a holder can wait on
 * something a long time (an access dialog nobody answers) with its heartbeat going on.
 */
const LIVE_HOLDER_TIME_OUTS = 10;

/** What the function run under the lock can ask of it. */
export interface HeldLock {
  /**
   * Whether the locked file is still the one at the path. When someone removed (or replaced)
   * it, another run can lock the new file while this one still runs: a change made from what
   * this run read must then not be committed.
   */
  stillHeld(): boolean;
  /**
   * Starts the heartbeat (the lock file touched every half second) before anything that may
   * take a while under the lock: a request, a secret store's access dialog. A quick, local
   * update needs none, and skips the cost of the process's first timer (about 10 ms in Deno
   * 2.9, more than the rest of a forced logout): a wait only times out on a holder silent
   * for the whole time-out.
   */
  keepAlive(): void;
}

export interface LockOptions {
  /** Stops waiting for the lock (throws `Cancelled`); a held lock is not interrupted. */
  signal?: AbortSignal;
  /** Called once when the lock is not acquired within about a second, with the holder's pid. */
  onWait?: (holderPid: string | undefined) => void;
}

/**
 * Runs `fn` while holding an exclusive OS lock (flock / LockFileEx) on
 * `lockPath`. The kernel drops the lock when its holder dies, so a crashed or
 * killed run never leaves a stale lock behind. The lock file itself stays in
 * place: deleting it would let two runs lock two different files, so a lock
 * taken on a file that is no longer the one at the path (someone removed or
 * replaced it meanwhile) is dropped and taken again on the file that is.
 */
export async function withFileLock<T>(
  lockPath: string,
  timeoutMs: number,
  fn: (lock: HeldLock) => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const started = Date.now();
  let noticed = false;
  // Once per call, however many files a wait goes through.
  const onWait = options.onWait && ((pid: string | undefined) => {
    if (noticed) return;
    noticed = true;
    options.onWait!(pid);
  });
  while (true) {
    if (options.signal?.aborted) throw lockWaitCancelled(lockPath);
    const file = openLockFile(lockPath);
    let locked = false;
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    try {
      locked = file.tryLockSync(true) ||
        await waitForLock(file, lockPath, timeoutMs, started, {
          signal: options.signal,
          onWait,
        });
      if (!isAtPath(file, lockPath)) continue; // `finally` lets go of the stale file
      recordHolder(file);
      return await fn({
        stillHeld: () => isAtPath(file, lockPath),
        keepAlive: () => {
          if (heartbeat !== undefined) return;
          touch(file);
          heartbeat = setInterval(() => touch(file), HEARTBEAT_MS);
          Deno.unrefTimer(heartbeat);
        },
      });
    } finally {
      // Only a started heartbeat: the first timer call of a process costs about 10 ms.
      if (heartbeat !== undefined) clearInterval(heartbeat);
      // A wait given up on leaves the file to the pending lock call (see waitForLock).
      if (locked) {
        forgetHolder(file);
        file.unlockSync();
        file.close();
      }
    }
  }
}

/**
 * Waits in the kernel for the lock instead of polling: a blocking flock / LockFileEx (run
 * by Deno on a worker thread) is granted as soon as the holder lets go, and waiters burn no
 * CPU, so a crowd of writers neither starves one of them nor slows the holder down.
 *
 * The time-out bounds a stall, not a queue: it runs while one and the same process holds
 * the lock (the pid each holder records), and starts again whenever the holder changes or
 * shows progress (its heartbeat touches the lock file: a holder starved of CPU on a loaded
 * machine is slow, not stuck, and its timers still fire). A stuck holder (stopped, or
 * something other than ably) still ends every wait after `timeoutMs`; a hundred writers queued behind one another, each
 * holding it for a few milliseconds, all get their turn (on 2 cores, with the CPU shared by
 * every process starting up, a queue of 250 writes takes longer than 10 s, and an absolute
 * time-out failed most of them although the lock never stopped moving).
 *
 * A blocking call cannot be cancelled: on time-out or Ctrl-C we stop waiting for it, and
 * whenever it is granted later the lock is released and the file closed at once. The
 * process exits on those errors anyway (main.ts), which also ends the call.
 * Resolves true once locked; rejects on time-out or abort; never leaves the file open.
 */
function waitForLock(
  file: Deno.FsFile,
  lockPath: string,
  timeoutMs: number,
  started: number,
  options: LockOptions,
): Promise<true> {
  const { signal, onWait } = options;
  return new Promise((resolve, reject) => {
    let settled = false;
    let holder = readHolder(lockPath);
    let since = Date.now();
    let firstSeen = since;
    let beat = beatOf(lockPath, holder);
    // The pid in the file is named only once its heartbeat is seen: a killed ably run leaves
    // its pid behind, and a holder that is not ably (a hand-run flock) records none.
    let heard: string | undefined;
    const finish = (outcome: () => void): boolean => {
      if (settled) return false;
      settled = true;
      clearInterval(watch);
      clearTimeout(notice);
      signal?.removeEventListener("abort", onAbort);
      outcome();
      return true;
    };
    const onAbort = () => finish(() => reject(lockWaitCancelled(lockPath)));
    // A few reads of a tiny file a second: the holder's pid says whether the queue moves.
    const every = Math.max(10, Math.min(200, timeoutMs / 4));
    let lastLook = Date.now();
    const watch = setInterval(() => {
      // A look that comes late means this process was starved too: what it sees of the
      // holder's heartbeat since the last look proves nothing either way.
      const late = Date.now() - lastLook > every * 4;
      lastLook = Date.now();
      const now = readHolder(lockPath);
      if (now !== holder) {
        holder = now;
        since = firstSeen = Date.now();
        beat = beatOf(lockPath, holder);
        return;
      }
      const seen = beatOf(lockPath, holder);
      const alive = seen !== undefined && seen !== beat;
      beat = seen;
      if (alive) heard = holder;
      const capped = Date.now() - firstSeen >= timeoutMs * LIVE_HOLDER_TIME_OUTS;
      if ((alive || late) && !capped) {
        since = Date.now();
      } else if (Date.now() - since >= timeoutMs) {
        finish(() => reject(timedOut(lockPath, timeoutMs, holder, known(holder, heard))));
      }
    }, every);
    const notice = onWait
      ? setTimeout(
        () => onWait(known(readHolder(lockPath), heard)),
        Math.max(0, started + LOCK_WAIT_NOTICE_MS - Date.now()),
      )
      : undefined;
    signal?.addEventListener("abort", onAbort, { once: true });
    file.lock(true).then(
      () => {
        if (finish(() => resolve(true))) return;
        file.unlockSync(); // granted after we gave up on it
        file.close();
      },
      (error) => {
        file.close();
        finish(() => reject(error));
      },
    );
  });
}

/** The holder's pid when it is known to be alive: its heartbeat was seen, or it is this process. */
function known(holder: string | undefined, heard: string | undefined): string | undefined {
  return holder !== undefined && (holder === heard || holder === String(Deno.pid))
    ? holder
    : undefined;
}

function timedOut(
  lockPath: string,
  timeoutMs: number,
  recorded: string | undefined,
  alive: string | undefined,
): ConfigError {
  // A pid seen beating held it all along; one only written in the file may be a dead run's.
  const who = alive
    ? ` (held by process ${alive} all that time)`
    : recorded
    ? ` (the lock file names process ${recorded}, which showed no sign of progress)`
    : "";
  return new ConfigError(
    `Timed out after ${formatDuration(timeoutMs)} waiting for the lock on ${lockPath}${who}` +
      ". Another ably command is updating the config; try again when it has finished.",
    lockPath,
  );
}

/** Whether the locked file is still the one at the path (same device and inode). */
function isAtPath(file: Deno.FsFile, lockPath: string): boolean {
  let held: Deno.FileInfo;
  let now: Deno.FileInfo;
  try {
    held = file.statSync();
    now = Deno.statSync(lockPath);
  } catch {
    return false;
  }
  // Windows reports no inode (null): there an open file cannot be removed or replaced anyway.
  return held.dev === now.dev && held.ino === now.ino;
}

/**
 * Opens (creating) the lock file. Its type is checked first: opening a FIFO
 * would block forever. OS errors become messages that name the path and say
 * what to do.
 */
export function openLockFile(lockPath: string): Deno.FsFile {
  let info: Deno.FileInfo | undefined;
  try {
    info = Deno.statSync(lockPath);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw lockProblem(lockPath, error);
  }
  if (info && !info.isFile) {
    throw new ConfigError(
      `The config lock ${lockPath} is a ${info.isDirectory ? "directory" : "special file"}, ` +
        `not a regular file. Remove it (rm -r ${quote(lockPath)}) and try again.`,
      lockPath,
    );
  }
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(lockPath, { read: true, write: true, create: true, mode: 0o600 });
  } catch (error) {
    // Someone else's lock file (an earlier `sudo ably …`): a read-only handle locks as well;
    // only the holder's pid, a courtesy for messages, cannot be recorded in it.
    if (info && error instanceof Deno.errors.PermissionDenied) {
      try {
        return Deno.openSync(lockPath, { read: true });
      } catch { /* the message below says what to do */ }
      throw new ConfigError(
        `Cannot open the config lock ${lockPath}: it belongs to another user (uid ${info.uid}). ` +
          `Remove it (sudo rm ${quote(lockPath)}) and try again.`,
        lockPath,
        { cause: error },
      );
    }
    throw lockProblem(lockPath, error);
  }
  // Created by `sudo ably …`: give it to whoever owns the directory, as the config keeps its
  // owner, or every later run of that user would find a lock file it cannot open.
  if (!info) keepDirectoryOwner(file, lockPath);
  return file;
}

function keepDirectoryOwner(file: Deno.FsFile, lockPath: string): void {
  try {
    const dir = Deno.statSync(parentOf(lockPath));
    const mine = file.statSync();
    if (dir.uid === null || dir.gid === null || mine.uid === dir.uid) return;
    Deno.chownSync(lockPath, dir.uid, dir.gid);
  } catch {
    // Only root may give a file away; anyone else already owns what they create.
  }
}

function lockProblem(lockPath: string, error: unknown): ConfigError {
  const dir = parentOf(lockPath);
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Deno.errors.PermissionDenied || /os error (13|30)\b/.test(message)) {
    return new ConfigError(
      `Cannot create or open the config lock ${lockPath}: ${message}. ` +
        `Make ${dir} writable for you (chmod u+w ${quote(dir)}), or set ABLY_CLI_CONFIG_DIR ` +
        "to a directory you can write.",
      lockPath,
      { cause: error },
    );
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return new ConfigError(
      `The config lock ${lockPath} is a directory. Remove it (rm -r ${
        quote(lockPath)
      }) and try again.`,
      lockPath,
      { cause: error },
    );
  }
  return new ConfigError(`Cannot open the config lock ${lockPath}: ${message}`, lockPath, {
    cause: error,
  });
}

function recordHolder(file: Deno.FsFile): void {
  try {
    file.truncateSync(0);
    file.seekSync(0, Deno.SeekMode.Start);
    file.writeSync(new TextEncoder().encode(`${Deno.pid}\n`));
  } catch {
    // The pid is only a courtesy for the timeout message.
  }
}

/** The holder's heartbeat: marks the lock file as touched now. */
function touch(file: Deno.FsFile): void {
  try {
    const now = new Date();
    file.utimeSync(now, now);
  } catch {
    // A read-only handle (someone else's lock file): waiters then count time alone.
  }
}

/**
 * The lock file's last heartbeat, when its holder is another ably process (this process's
 * own beats say nothing of progress: one run's queued updates wait on each other).
 */
function beatOf(lockPath: string, holder: string | undefined): number | undefined {
  if (!holder || holder === String(Deno.pid)) return undefined;
  try {
    return Deno.statSync(lockPath).mtime?.getTime();
  } catch {
    return undefined;
  }
}

/**
 * A released lock names no holder: a later wait on a lock taken by something else (a
 * script's flock) must not name the pid of an ably run that has long finished.
 */
function forgetHolder(file: Deno.FsFile): void {
  try {
    file.truncateSync(0);
  } catch {
    // A read-only handle (someone else's lock file) recorded nothing.
  }
}

function readHolder(lockPath: string): string | undefined {
  try {
    // A pid, or nothing: the file is anyone's to write (an older tool, a hand edit).
    const pid = Deno.readTextFileSync(lockPath).trim();
    return /^\d{1,10}$/.test(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function parentOf(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut <= 0 ? (cut === 0 ? path[0] : ".") : path.slice(0, cut);
}

/** A path as a shell word, for the fix a message suggests. */
export function quote(path: string): string {
  return /^[\w@%+=:,./\\-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

function lockWaitCancelled(path: string): Cancelled {
  return new Cancelled(`Stopped waiting for the lock on ${path}; the config was not changed.`);
}
