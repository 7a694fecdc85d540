/**
 * Reads and writes the Ably config file. Knows TOML and files, nothing of
 * terminals. Writes are atomic (temp file, fsync, rename) and every
 * read-modify-write runs under the config lock and re-reads the file first, so
 * concurrent runs never lose each other's changes.
 */
import { parse, stringify } from "smol-toml";
import { ConfigError } from "./errors.ts";
import { openLockFile, quote, withFileLock } from "./lock.ts";
import { basenameOf, dirnameOf, isAbsolutePath, joinPath } from "./paths.ts";
import { normalise, shapeProblem, table } from "./validate.ts";
import type { ConfigLocation } from "./location.ts";
import type { AblyConfig } from "./schema.ts";

const OS = Deno.build.os;
const isWindows = OS === "windows";
const SEP = isWindows ? "\\" : "/";
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** Far above any real config (10,000 accounts take 2.7 MB); a larger file is refused unread. */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

export interface ReadOptions {
  /**
   * Told when the config file or its directory is writable by group or others
   * (anyone could then swap in their own tokens or read yours next). Called
   * whenever it applies: the caller deduplicates.
   */
  warn?: (message: string) => void;
}

/** The parsed config, or `undefined` when the file does not exist yet. */
export async function readConfig(
  path: string,
  options: ReadOptions = {},
): Promise<AblyConfig | undefined> {
  return (await readSnapshot(path, options))?.config;
}

/** A parsed config together with the exact text it was parsed from. */
export interface Snapshot {
  config: AblyConfig;
  text: string;
}

export function readSnapshot(
  path: string,
  options: ReadOptions = {},
): Promise<Snapshot | undefined> {
  return settled(() => {
    const text = readText(path, path);
    if (options.warn) warnIfExposed(path, writeTarget(path), options.warn);
    return text === undefined ? undefined : { config: parseConfig(text, path), text };
  });
}

/**
 * The file's text, or `undefined` when it does not exist. Only a regular file
 * of sane size is read: the type is checked before opening (opening a FIFO
 * blocks) and again on the opened file, and the read stops at the cap (a
 * symlink to /dev/zero never ends). `shown` is the path messages name.
 */
function readText(path: string, shown: string): string | undefined {
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

function assertReadable(path: string, info: Deno.FileInfo): void {
  if (!info.isFile) {
    throw new ConfigError(
      `Ably config ${path} is ${fileKind(info)}, not a regular file. It was left alone; ` +
        "replace it with a regular file (or remove it) and try again.",
      path,
    );
  }
  if (info.size > MAX_CONFIG_BYTES) {
    throw tooBig(path, info.size);
  }
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

/** Modes let group or others write the config or swap it out of its directory. */
function warnIfExposed(
  path: string,
  target: string,
  warn: (message: string) => void,
): void {
  if (isWindows) return;
  const mode = modeOf(target);
  if (mode !== undefined && mode & 0o022) {
    warn(
      `Ably config ${path} is writable by ${whom(mode)} (mode ${octal(mode)}); ` +
        `it holds your tokens. Run: chmod 600 ${quote(target)}`,
    );
  }
  const dirs = new Set([dirnameOf(OS, path), dirnameOf(OS, target)]);
  for (const dir of dirs) {
    const dirMode = modeOf(dir);
    // A sticky directory (like /tmp) keeps others from replacing our files.
    if (dirMode !== undefined && dirMode & 0o022 && !(dirMode & 0o1000)) {
      warn(
        `Config directory ${dir} is writable by ${whom(dirMode)} (mode ${octal(dirMode)}); ` +
          `others could replace your Ably config. Run: chmod go-w ${quote(dir)}`,
      );
    }
  }
}

function modeOf(path: string): number | undefined {
  try {
    return (Deno.statSync(path)).mode ?? undefined;
  } catch {
    return undefined;
  }
}

function whom(mode: number): string {
  return mode & 0o020 && mode & 0o002 ? "group and others" : mode & 0o020 ? "group" : "others";
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8)}`;
}

export function parseConfig(text: string, path: string): AblyConfig {
  let parsed: Record<string, unknown>;
  try {
    parsed = parse(text);
  } catch (error) {
    const { line, column } = error as { line?: number; column?: number };
    const where = line ? ` at line ${line}, column ${column}` : "";
    const reason = messageOf(error).split("\n")[0].replace(/^Invalid TOML document: /, "");
    throw new ConfigError(
      `Ably config ${path} is not valid TOML${where}: ${reason}. ` +
        "It was left unchanged; fix or remove it and try again.",
      path,
      { cause: error },
    );
  }
  const problem = shapeProblem(parsed);
  if (problem) {
    throw new ConfigError(
      `Ably config ${path} is not an Ably config: ${problem}. It was left unchanged; fix or remove it and try again.`,
      path,
    );
  }
  return normalise(parsed as AblyConfig);
}

/** The exact bytes the official CLI would write for the same object. */
export function serializeConfig(config: AblyConfig): string {
  return stringify(config);
}

/** Replaces the file in one step: readers see the old or the new content, never a mix. */
export async function writeConfigAtomic(
  path: string,
  config: AblyConfig,
  options: { holdingLock?: boolean } = {},
): Promise<void> {
  const text = serializeFor(path, config);
  const target = writeTarget(path);
  if (options.holdingLock) removeAbandonedTempFiles(target);
  await replaceFile(path, target, text);
}

/** Serialises, or explains (e.g. a table nested too deep) with nothing changed. */
function serializeFor(path: string, config: AblyConfig): string {
  try {
    return serializeConfig(config);
  } catch (error) {
    throw new ConfigError(
      `Failed to save Ably config ${path}: it cannot be written as TOML (${messageOf(error)}). ` +
        "Nothing was changed.",
      path,
      { cause: error },
    );
  }
}

/**
 * Writes `text` to a private temp file beside `target` (created 0600, so no
 * byte is ever readable by others), gives it the replaced file's owner and
 * group, fsyncs it, runs `beforeCommit`, then renames it over `target`.
 */
async function replaceFile(
  path: string,
  target: string,
  text: string,
  beforeCommit?: () => Promise<void>,
): Promise<void> {
  const existing = existingTarget(path, target);
  const dir = dirnameOf(OS, target);
  const temp = inDir(dir, tempName(target, `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`));
  // Held open and locked until renamed or removed: the lock tells a clean-up by another run
  // that this temp file's writer is alive (see removeAbandonedTempFiles).
  let file: Deno.FsFile | undefined;
  try {
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
      if (file) quietly(() => Deno.removeSync(temp));
      throw saveProblem(path, dir, error);
    }
    try {
      // Last point at which nothing has changed: the caller's irreversible step goes here.
      if (beforeCommit) await beforeCommit();
    } catch (error) {
      quietly(() => Deno.removeSync(temp));
      throw error;
    }
    try {
      Deno.renameSync(temp, target);
    } catch (error) {
      quietly(() => Deno.removeSync(temp));
      throw saveProblem(path, dir, error);
    }
  } finally {
    file?.close();
  }
  syncDirectory(dir);
}

/** The file about to be replaced, if any; one we must not replace is refused here. */
function existingTarget(path: string, target: string): Deno.FileInfo | undefined {
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

export interface Change<T> {
  /** Whether the config object was modified and must be written. */
  changed: boolean;
  value: T;
  /**
   * Runs once the new file is fully written, synced and private, immediately
   * before it replaces the old one: the place for an irreversible step (e.g.
   * revoking tokens) that must only happen when the save is all but certain.
   * Never called when serialising or writing fails; if it throws, nothing is
   * changed and its error propagates.
   */
  beforeCommit?: () => Promise<void>;
  /**
   * What the file gets, when not the mutated config itself (e.g. the config without
   * the secrets kept in the OS keychain).
   */
  written?: AblyConfig;
  /** Runs once the new file has replaced the old one (e.g. deleting secrets it no longer uses). */
  afterCommit?: () => Promise<void>;
}

export interface UpdateOptions extends ReadOptions {
  lockTimeoutMs?: number;
  /**
   * The caller's earlier, unmodified read. When the file still holds exactly
   * that text, its parsed object is reused instead of parsing again (parsing
   * dominates the cost of a large config).
   */
  basis?: Snapshot;
  /** Stops waiting for the lock: `LockWaitAborted` is thrown and nothing changes. */
  signal?: AbortSignal;
  /**
   * `mutate` does something that cannot be undone (a refresh spends its token): a file
   * this update would not be allowed to replace is refused before it runs.
   */
  irreversible?: boolean;
  /** Called once when the lock is still held by another process after about a second. */
  onWait?: (holderPid: string | undefined) => void;
}

/**
 * Whether an update could be saved, checked before something irreversible that an
 * update will follow (a login's device flow): the directory can be created, the file
 * (if any) is a regular, owner-writable file, and the lock file can be opened.
 */
export function checkWritable(location: ConfigLocation): Promise<void> {
  return settled(() => {
    // Nothing is created: a login that is then cancelled leaves no trace.
    existingAncestorDir(location.dir);
    const target = writeTarget(location.file);
    existingTarget(location.file, target);
    const lock = `${target}.lock`;
    if (quietly(() => Deno.lstatSync(lock))) openLockFile(lock).close();
  });
}

/** The nearest existing directory at or above `dir`; an error if it is not a directory. */
function existingAncestorDir(dir: string): string {
  for (let at = dir;; at = dirnameOf(OS, at)) {
    const info = quietly(() => Deno.statSync(at));
    if (info) {
      if (!info.isDirectory) {
        throw new ConfigError(
          `Cannot use config directory ${dir}: ${at} is not a directory. Remove or rename it, ` +
            "or set ABLY_CLI_CONFIG_DIR to another directory.",
          dir,
        );
      }
      return at;
    }
    if (dirnameOf(OS, at) === at) return at;
  }
}

/**
 * Locks the config, re-reads it, applies `mutate` and writes the result when it
 * changed. A file that does not parse is never rewritten: the parse error
 * propagates before `mutate` runs. The lock is `<real file>.lock` beside the
 * file a symlinked config points to, so every path to one file shares one lock.
 */
export async function updateConfig<T>(
  location: ConfigLocation,
  mutate: (config: AblyConfig) => Change<T> | Promise<Change<T>>,
  options: UpdateOptions = {},
): Promise<T> {
  ensureConfigDirNow(location.dir);
  const path = location.file;
  const target = writeTarget(path);
  // Before locking: a config that is a device must not get a lock file beside it (in /dev).
  const info = quietly(() => Deno.statSync(target));
  if (info) assertReadable(path, info);
  const lock = `${target}.lock`;
  const timeout = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  return await withFileLock(lock, timeout, async () => {
    removeAbandonedTempFiles(target, lock);
    if (options.warn) warnIfExposed(path, target, options.warn);
    const text = readText(target, path);
    const config: AblyConfig = text === undefined
      ? { accounts: table() }
      : text === options.basis?.text
      ? options.basis.config
      : parseConfig(text, path);
    // A file we will not be allowed to replace is refused before a `mutate` that does
    // something irreversible (a refresh spends its single-use refresh token).
    if (options.irreversible && text !== undefined) existingTarget(path, target);
    const { changed, value, beforeCommit, written, afterCommit } = await mutate(config);
    if (changed) {
      await replaceFile(path, target, serializeFor(path, written ?? config), beforeCommit);
      await afterCommit?.();
    }
    return value;
  }, { signal: options.signal, onWait: options.onWait });
}

/** Creates the directory and missing parents, each private to the user (0700). */
export function ensureConfigDir(dir: string): Promise<void> {
  return settled(() => ensureConfigDirNow(dir));
}

function ensureConfigDirNow(dir: string): void {
  const missing: string[] = [];
  for (let at = dir;; at = dirnameOf(OS, at)) {
    try {
      const info = Deno.statSync(at);
      if (!info.isDirectory) {
        throw new ConfigError(
          `Cannot use config directory ${dir}: ${at} is not a directory. Remove or rename it, ` +
            "or set ABLY_CLI_CONFIG_DIR to another directory.",
          dir,
        );
      }
      break;
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new ConfigError(`Cannot access config directory ${at}: ${messageOf(error)}`, dir);
      }
    }
    missing.unshift(at);
    if (dirnameOf(OS, at) === at) break;
  }
  for (const at of missing) {
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

/**
 * The file to replace: a symlinked config (dotfiles repos do this) is updated
 * where it points, even when that file does not exist yet, and stays a link.
 */
function writeTarget(path: string): string {
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
function removeAbandonedTempFiles(target: string, lock?: string): void {
  const dir = dirnameOf(OS, target);
  const ours = new RegExp(`^${escapeRegExp(`.${basenameOf(OS, target)}.`)}\\d+-[0-9a-f]{8}\\.tmp$`);
  const owners = new Set<number | null>();
  for (const path of [target, lock]) {
    if (!path) continue;
    try {
      owners.add((Deno.statSync(path)).uid);
    } catch {
      // Not there (yet): it names no owner.
    }
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `name` in `dir`, as it is (the directories here are already the real ones). */
function inDir(dir: string, name: string): string {
  return /[\\/]$/.test(dir) ? dir + name : dir + SEP + name;
}

/**
 * The file work is synchronous (a round trip through Deno's thread pool per system call
 * costs more than the call, on the start-up path of every command); the module's API stays
 * a promise, with a throw as its rejection.
 */
function settled<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

/** `fn()`, or `undefined` when it throws: for best-effort steps whose failure changes nothing. */
function quietly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
