/**
 * The hardened file primitives under the config store: capped reads of regular
 * files only, a replacement staged in a private temp file and committed by one
 * rename (then the directory fsynced), owner keeping, abandoned temp files, the
 * directory walk-up, and the exposure check. Knows files, not TOML or accounts.
 * Synchronous: one Deno thread-pool round trip per call costs more than the call.
 */
import { ConfigError } from "./errors.ts";
import { quote } from "./lock.ts";
import { basenameOf, dirnameOf, isAbsolutePath, joinPath } from "./paths.ts";

const OS = Deno.build.os;
const isWindows = OS === "windows";
const SEP = isWindows ? "\\" : "/";
/** Far above any real config (10,000 accounts take 2.7 MB); a larger file is refused unread. */
const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

/**
 * The file's text, or `undefined` when it does not exist. Only a regular file
 * of sane size is read: the type is checked before opening (opening a FIFO
 * blocks) and again on the opened file, and the read stops at the cap (a
 * symlink to /dev/zero never ends). `shown` is the path messages name.
 */
export function readText(path: string, shown: string): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw readProblem(shown, error);
  }
  assertReadable(shown, info);
  let bytes: Uint8Array;
  try {
    const file = Deno.openSync(path, { read: true });
    try {
      assertReadable(shown, file.statSync());
      bytes = readAtMost(file, shown);
    } finally {
      file.close();
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw readProblem(shown, error);
  }
  try {
    // Fatal: a lossy decode would silently rewrite the bytes we do not understand.
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(
      `Ably config ${shown} is not valid UTF-8. It was left unchanged; fix or remove it and try again.`,
      shown,
    );
  }
}

function readProblem(path: string, error: unknown): ConfigError {
  const fix = error instanceof Deno.errors.PermissionDenied
    ? ` Make it readable for you (chmod u+r ${quote(path)}) or set ABLY_CLI_CONFIG_DIR elsewhere.`
    : "";
  return new ConfigError(`Cannot read Ably config ${path}: ${messageOf(error)}.${fix}`, path, {
    cause: error,
  });
}

/** A regular file within the cap; anything else is refused before it is opened or written. */
export function assertReadable(path: string, info: Deno.FileInfo): void {
  if (!info.isFile) {
    throw new ConfigError(
      `Ably config ${path} is ${fileKind(info)}, not a regular file. It was left alone; ` +
        "replace it with a regular file (or remove it) and try again.",
      path,
    );
  }
  if (info.size > MAX_CONFIG_BYTES) throw tooBig(path, info.size);
}

function tooBig(path: string, size: number): ConfigError {
  return new ConfigError(
    `Ably config ${path} is ${size} bytes, more than the ${MAX_CONFIG_BYTES / 1048576} MiB ` +
      "an Ably config can be. It was left unchanged; fix or remove it and try again.",
    path,
  );
}

function fileKind(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO (named pipe)";
  if (info.isCharDevice || info.isBlockDevice) return "a device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

function readAtMost(file: Deno.FsFile, path: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const chunk = new Uint8Array(64 * 1024);
    const n = file.readSync(chunk);
    if (n === null) break;
    size += n;
    // The file may grow while we read it: the cap holds whatever stat said.
    if (size > MAX_CONFIG_BYTES) throw tooBig(path, size);
    chunks.push(chunk.subarray(0, n));
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/**
 * Modes that let group or others write the config, or swap it out of its
 * directory (a sticky directory such as /tmp does not let them).
 */
export function exposureWarnings(path: string, target: string): string[] {
  if (isWindows) return [];
  const warnings: string[] = [];
  const mode = modeOf(target);
  if (mode !== undefined && mode & 0o022) {
    warnings.push(
      `Ably config ${path} is writable by ${whom(mode)} (mode ${octal(mode)}); ` +
        `it holds your tokens. Run: chmod 600 ${quote(target)}`,
    );
  }
  for (const dir of new Set([dirnameOf(OS, path), dirnameOf(OS, target)])) {
    const dirMode = modeOf(dir);
    if (dirMode !== undefined && dirMode & 0o022 && !(dirMode & 0o1000)) {
      warnings.push(
        `Config directory ${dir} is writable by ${whom(dirMode)} (mode ${octal(dirMode)}); ` +
          `others could replace your Ably config. Run: chmod go-w ${quote(dir)}`,
      );
    }
  }
  return warnings;
}

function modeOf(path: string): number | undefined {
  return quietly(() => Deno.statSync(path).mode ?? undefined);
}

function whom(mode: number): string {
  return mode & 0o020 && mode & 0o002 ? "group and others" : mode & 0o020 ? "group" : "others";
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}

/**
 * The file to replace: a symlinked config (dotfiles repos do this) is updated
 * where it points, even when that file does not exist yet, and stays a link.
 */
export function writeTarget(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    try {
      const link = Deno.readLinkSync(path);
      if (isAbsolutePath(OS, link)) return link;
      // Relative to the link's real directory: Deno normalises `..` in a path before the
      // system sees it, so a symlinked directory on the way must be resolved first.
      const dir = dirnameOf(OS, path);
      return joinPath(OS, quietly(() => Deno.realPathSync(dir)) ?? dir, link);
    } catch {
      return path;
    }
  }
}

/** The file about to be replaced, if any; one we must not replace is refused here. */
export function replaceableTarget(path: string, target: string): Deno.FileInfo | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(target);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw saveProblem(path, dirnameOf(OS, target), error);
  }
  if (!info.isFile) {
    throw new ConfigError(
      `Failed to save Ably config ${path}: ${target} is ${fileKind(info)}, not a regular file. ` +
        "Nothing was changed; replace it with a regular file (or remove it) and try again.",
      path,
    );
  }
  // Without owner write permission the user has said "do not change this file".
  if (!isWindows && info.mode !== null && !(info.mode & 0o200)) {
    throw new ConfigError(
      `Ably config ${target} is read-only (mode ${octal(info.mode)}), so it was not changed. ` +
        `To let ably update it, run: chmod u+w ${quote(target)}`,
      target,
    );
  }
  return info;
}

/** A new version of a file, written and synced beside it, not yet in its place. */
export interface StagedFile {
  /** Puts it in place and makes that durable; the temp file never outlives a failure. */
  commit(): void;
  /** Removes the temp file (nothing changed). */
  discard(): void;
}

/**
 * Whether `target` is a mount point of its own: a single file bind-mounted into a container
 * (`docker run -v ~/.ably/config:/root/.ably/config`). Nothing can be renamed over it (EBUSY),
 * so it is rewritten in place. A file on another device than its directory is one; on the
 * same device (a bind mount within one file system) only a hard link across the mount tells
 * (EXDEV). Linux only: elsewhere a file cannot be mounted on its own. (Deno lets no process
 * without every permission read /proc/self/mountinfo.)
 */
export function isMountedFile(target: string): boolean {
  if (OS !== "linux") return false;
  const dir = dirnameOf(OS, target);
  const file = quietly(() => Deno.statSync(target));
  const parent = quietly(() => Deno.statSync(dir));
  if (!file || !parent) return false;
  if (file.dev !== parent.dev) return true;
  // Named as our temp files are, so that one left by a crash is cleaned up as they are.
  const probe = inDir(dir, tempName(target, `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`));
  try {
    Deno.linkSync(target, probe);
  } catch (error) {
    return /\(os error 18\)/.test(messageOf(error));
  }
  quietly(() => Deno.removeSync(probe));
  return false;
}

/** `target` has other names (hard links) that a replacement by rename leaves behind. */
export function otherLinks(target: string): number {
  return Math.max(0, (quietly(() => Deno.statSync(target).nlink) ?? 1) - 1);
}

/**
 * A new version written over `target` itself, for a file that cannot be replaced by a
 * rename (a bind-mounted file): opened for writing now (before anything irreversible), the
 * bytes written, cut to length and fsynced on commit. A failed write (a full disk) puts the
 * old bytes back, which fit where they were: the file is never left half-written by a failure
 * (a crash can; the official CLI writes the file this way every time).
 */
export function stageInPlace(path: string, target: string, text: string, old: string): StagedFile {
  replaceableTarget(path, target);
  const dir = dirnameOf(OS, target);
  let file: Deno.FsFile | undefined;
  try {
    file = Deno.openSync(target, { read: true, write: true });
  } catch (error) {
    throw saveProblem(path, dir, error);
  }
  const close = () => {
    file?.close();
    file = undefined;
  };
  const put = (handle: Deno.FsFile, bytes: Uint8Array) => {
    handle.seekSync(0, Deno.SeekMode.Start);
    writeAll(handle, bytes);
    handle.truncateSync(bytes.length);
    handle.syncSync();
  };
  return {
    commit() {
      const handle = file!;
      try {
        put(handle, new TextEncoder().encode(text));
      } catch (error) {
        quietly(() => put(handle, new TextEncoder().encode(old)));
        close();
        throw saveProblem(path, dir, error);
      }
      close();
    },
    discard: close,
  };
}

/**
 * Writes `text` to a private temp file beside `target` (created 0600, so no
 * byte is ever readable by others), gives it the replaced file's owner and
 * group, and fsyncs it. On any failure the temp file is removed.
 */
export function stageFile(path: string, target: string, text: string): StagedFile {
  const existing = replaceableTarget(path, target);
  const dir = dirnameOf(OS, target);
  const temp = inDir(dir, tempName(target, `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`));
  // Held open and locked until renamed or removed: the lock tells a clean-up by another run
  // that this temp file's writer is alive (see removeAbandonedTempFiles).
  let file: Deno.FsFile | undefined;
  const close = () => {
    file?.close();
    file = undefined;
  };
  const drop = () => {
    quietly(() => Deno.removeSync(temp));
    close();
  };
  try {
    file = Deno.openSync(temp, { write: true, createNew: true, mode: 0o600 });
    file.lockSync(true);
    writeAll(file, new TextEncoder().encode(text));
    if (!isWindows) {
      Deno.chmodSync(temp, 0o600); // exact, whatever the umask and a replaced file's mode
      if (existing) keepOwner(temp, file, existing);
    }
    file.syncSync();
  } catch (error) {
    if (file) drop();
    throw saveProblem(path, dir, error);
  }
  return {
    commit() {
      try {
        Deno.renameSync(temp, target);
      } catch (error) {
        drop();
        throw saveProblem(path, dir, error);
      }
      close();
      syncDirectory(dir);
    },
    discard: drop,
  };
}

/**
 * A write by another user (e.g. `sudo ably ...`) must not take the file away
 * from its owner. Only root may give a file away; elsewhere keep what we can.
 */
function keepOwner(temp: string, file: Deno.FsFile, existing: Deno.FileInfo) {
  const mine = file.statSync();
  if (existing.uid === null || existing.gid === null) return;
  if (mine.uid === existing.uid && mine.gid === existing.gid) return;
  try {
    Deno.chownSync(temp, existing.uid, existing.gid);
  } catch {
    quietly(() => Deno.chownSync(temp, null, existing.gid));
  }
}

function saveProblem(path: string, dir: string, error: unknown): ConfigError {
  const message = messageOf(error);
  const fix = error instanceof Deno.errors.PermissionDenied || /os error (13|30)\b/.test(message)
    ? ` The directory ${dir} must be writable for you (chmod u+w ${quote(dir)}), or set ` +
      "ABLY_CLI_CONFIG_DIR to a directory you can write."
    : "";
  return new ConfigError(`Failed to save Ably config ${path}: ${message}.${fix}`, path, {
    cause: error,
  });
}

/**
 * `dir` and the directories missing above it, outermost first; an error when
 * something on the way is not a directory.
 */
export function missingDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let at = dir;; at = dirnameOf(OS, at)) {
    let info: Deno.FileInfo | undefined;
    try {
      info = Deno.statSync(at);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new ConfigError(`Cannot access config directory ${at}: ${messageOf(error)}`, dir);
      }
    }
    if (info) {
      if (!info.isDirectory) {
        throw new ConfigError(
          `Cannot use config directory ${dir}: ${at} is not a directory. Remove or rename it, ` +
            "or set ABLY_CLI_CONFIG_DIR to another directory.",
          dir,
        );
      }
      return missing;
    }
    missing.unshift(at);
    if (dirnameOf(OS, at) === at) return missing;
  }
}

/** Creates the directory and missing parents, each private to the user (0700). */
export function ensureDir(dir: string): void {
  for (const at of missingDirs(dir)) {
    try {
      Deno.mkdirSync(at, { mode: 0o700 });
      // mkdir's mode is filtered by the umask; make it exactly 0700.
      if (!isWindows) Deno.chmodSync(at, 0o700);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) continue; // another run made it first
      throw new ConfigError(
        `Cannot create config directory ${at}: ${messageOf(error)}. Create it yourself, ` +
          "or set ABLY_CLI_CONFIG_DIR to a directory you can write.",
        dir,
        { cause: error },
      );
    }
  }
}

/** `.config.<pid>-<8 hex>.tmp` for a target named `config`: ours, and only for this file. */
function tempName(target: string, id: string): string {
  return `.${basenameOf(OS, target)}.${id}.tmp`;
}

/**
 * Temp files for `target` are only written under its lock, so any found while
 * holding it were left by a writer that died mid-write. They hold secrets:
 * remove them, but only files named like ours for this target and owned by
 * the config's (or the lock's) owner, never another user's look-alike.
 */
export function removeAbandonedTempFiles(target: string, lock?: string): void {
  const dir = dirnameOf(OS, target);
  const ours = new RegExp(`^${escapeRegExp(`.${basenameOf(OS, target)}.`)}\\d+-[0-9a-f]{8}\\.tmp$`);
  const owners = new Set<number | null>();
  for (const path of [target, lock]) {
    const info = path ? quietly(() => Deno.statSync(path)) : undefined;
    if (info) owners.add(info.uid);
  }
  if (owners.size === 0) return;
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (!entry.isFile || !ours.test(entry.name)) continue;
      const path = inDir(dir, entry.name);
      const info = quietly(() => Deno.lstatSync(path));
      if (info?.isFile && owners.has(info.uid) && !inUse(path)) {
        quietly(() => Deno.removeSync(path));
      }
    }
  } catch {
    // Best effort: an unreadable directory will fail the write with a clear error anyway.
  }
}

/**
 * A writer keeps its temp file locked until it is renamed or removed, so a lock we cannot
 * take means a live writer: one that holds a config lock we do not (someone removed the
 * lock file while it was held, and this run locked a new one).
 */
function inUse(path: string): boolean {
  let file: Deno.FsFile | undefined;
  try {
    file = Deno.openSync(path, { read: true });
    if (!file.tryLockSync(true)) return true;
    file.unlockSync();
    return false;
  } catch {
    return true; // cannot tell: leave it
  } finally {
    file?.close();
  }
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
}

/** Makes the rename itself durable; not possible (nor needed) everywhere. */
function syncDirectory(dir: string): void {
  if (isWindows) return;
  try {
    const handle = Deno.openSync(dir, { read: true });
    try {
      handle.syncSync();
    } finally {
      handle.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename has happened.
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `name` in `dir`, as it is (the directories here are already the real ones). */
function inDir(dir: string, name: string): string {
  return /[\\/]$/.test(dir) ? dir + name : dir + SEP + name;
}

/** `fn()`, or `undefined` when it throws: for best-effort steps whose failure changes nothing. */
export function quietly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
