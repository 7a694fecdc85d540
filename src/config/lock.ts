import { ConfigError } from "./errors.ts";

const POLL_MS = 15;

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
): Promise<T> {
  const file = await Deno.open(lockPath, { read: true, write: true, create: true, mode: 0o600 });
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(await file.tryLock(true))) {
      if (Date.now() >= deadline) {
        const holder = await readHolder(lockPath);
        throw new ConfigError(
          `Timed out after ${timeoutMs}ms waiting for the lock on ${lockPath}` +
            (holder ? ` (held by process ${holder})` : "") +
            ". Another ably command is updating the config; try again when it has finished.",
          lockPath,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await recordHolder(file);
    try {
      return await fn();
    } finally {
      await file.unlock();
    }
  } finally {
    file.close();
  }
}

async function recordHolder(file: Deno.FsFile): Promise<void> {
  try {
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  } catch {
    // The pid is only a courtesy for the timeout message.
  }
}

async function readHolder(lockPath: string): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile(lockPath)).trim() || undefined;
  } catch {
    return undefined;
  }
}
