import { ConfigError } from "./errors.ts";
import { Cancelled } from "../errors.ts";

const POLL_MS = 15;
/** How long a wait lasts before the caller is told who holds the lock. */
export const LOCK_WAIT_NOTICE_MS = 1_000;

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
 * place: deleting it would let two runs lock two different files.
 */
export async function withFileLock<T>(
  lockPath: string,
  timeoutMs: number,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const { signal, onWait } = options;
  if (signal?.aborted) throw lockWaitCancelled(lockPath);
  const file = openLockFile(lockPath);
  try {
    const started = Date.now();
    const deadline = started + timeoutMs;
    let noticed = false;
    while (!(file.tryLockSync(true))) {
      if (signal?.aborted) throw lockWaitCancelled(lockPath);
      if (Date.now() >= deadline) {
        const holder = readHolder(lockPath);
        throw new ConfigError(
          `Timed out after ${timeoutMs}ms waiting for the lock on ${lockPath}` +
            (holder ? ` (held by process ${holder})` : "") +
            ". Another ably command is updating the config; try again when it has finished.",
          lockPath,
        );
      }
      if (onWait && !noticed && Date.now() - started >= LOCK_WAIT_NOTICE_MS) {
        noticed = true;
        onWait(readHolder(lockPath));
      }
      await pause(POLL_MS, signal);
    }
    recordHolder(file);
    try {
      return await fn();
    } finally {
      file.unlockSync();
    }
  } finally {
    file.close();
  }
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
  try {
    return Deno.openSync(lockPath, { read: true, write: true, create: true, mode: 0o600 });
  } catch (error) {
    throw lockProblem(lockPath, error);
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

function lockWaitCancelled(path: string): Cancelled {
  return new Cancelled(`Stopped waiting for the lock on ${path}; the config was not changed.`);
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
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

function readHolder(lockPath: string): string | undefined {
  try {
    return (Deno.readTextFileSync(lockPath)).trim() || undefined;
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
