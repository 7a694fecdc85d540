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

export async function readSnapshot(
  path: string,
  options: ReadOptions = {},
): Promise<Snapshot | undefined> {
  const text = await readText(path, path);
  if (options.warn) await warnIfExposed(path, await writeTarget(path), options.warn);
  return text === undefined ? undefined : { config: parseConfig(text, path), text };
}

/**
 * The file's text, or `undefined` when it does not exist. Only a regular file
 * of sane size is read: the type is checked before opening (opening a FIFO
 * blocks) and again on the opened file, and the read stops at the cap (a
 * symlink to /dev/zero never ends). `shown` is the path messages name.
 */
async function readText(path: string, shown: string): Promise<string | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw readProblem(shown, error);
  }
  assertReadable(shown, info);
  let bytes: Uint8Array;
  try {
    const file = await Deno.open(path, { read: true });
    try {
      assertReadable(shown, await file.stat());
      bytes = await readAtMost(file, shown);
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

async function readAtMost(file: Deno.FsFile, path: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const chunk = new Uint8Array(64 * 1024);
    const n = await file.read(chunk);
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
async function warnIfExposed(
  path: string,
  target: string,
  warn: (message: string) => void,
): Promise<void> {
  if (isWindows) return;
  const mode = await modeOf(target);
  if (mode !== undefined && mode & 0o022) {
    warn(
      `Ably config ${path} is writable by ${whom(mode)} (mode ${octal(mode)}); ` +
        `it holds your tokens. Run: chmod 600 ${quote(target)}`,
    );
  }
  const dirs = new Set([dirnameOf(OS, path), dirnameOf(OS, target)]);
  for (const dir of dirs) {
    const dirMode = await modeOf(dir);
    // A sticky directory (like /tmp) keeps others from replacing our files.
    if (dirMode !== undefined && dirMode & 0o022 && !(dirMode & 0o1000)) {
      warn(
        `Config directory ${dir} is writable by ${whom(dirMode)} (mode ${octal(dirMode)}); ` +
          `others could replace your Ably config. Run: chmod go-w ${quote(dir)}`,
      );
    }
  }
}

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).mode ?? undefined;
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
  const target = await writeTarget(path);
  if (options.holdingLock) await removeAbandonedTempFiles(target);
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
  const existing = await existingTarget(path, target);
  const dir = dirnameOf(OS, target);
  const temp = joinPath(
    OS,
    dir,
    tempName(target, `${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`),
  );
  let created = false;
  try {
    const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o600 });
    created = true;
    try {
      await writeAll(file, new TextEncoder().encode(text));
      if (!isWindows) {
        await Deno.chmod(temp, 0o600); // exact, whatever the umask and a replaced file's mode
        if (existing) await keepOwner(temp, file, existing);
      }
      await file.sync();
    } finally {
      file.close();
    }
  } catch (error) {
    if (created) await Deno.remove(temp).catch(() => {});
    throw saveProblem(path, dir, error);
  }
  try {
    // Last point at which nothing has changed: the caller's irreversible step goes here.
    if (beforeCommit) await beforeCommit();
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  try {
    await Deno.rename(temp, target);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw saveProblem(path, dir, error);
  }
  await syncDirectory(dir);
}

/** The file about to be replaced, if any; one we must not replace is refused here. */
async function existingTarget(path: string, target: string): Promise<Deno.FileInfo | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(target);
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
async function keepOwner(temp: string, file: Deno.FsFile, existing: Deno.FileInfo) {
  const mine = await file.stat();
  if (existing.uid === null || existing.gid === null) return;
  if (mine.uid === existing.uid && mine.gid === existing.gid) return;
  try {
    await Deno.chown(temp, existing.uid, existing.gid);
  } catch {
    await Deno.chown(temp, null, existing.gid).catch(() => {});
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
  /** Called once when the lock is still held by another process after about a second. */
  onWait?: (holderPid: string | undefined) => void;
}

/**
 * Whether an update could be saved, checked before something irreversible that an
 * update will follow (a login's device flow): the directory can be created, the file
 * (if any) is a regular, owner-writable file, and the lock file can be opened.
 */
export async function checkWritable(location: ConfigLocation): Promise<void> {
  await ensureConfigDir(location.dir);
  const target = await writeTarget(location.file);
  await existingTarget(location.file, target);
  (await openLockFile(`${target}.lock`)).close();
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
  await ensureConfigDir(location.dir);
  const path = location.file;
  const target = await writeTarget(path);
  // Before locking: a config that is a device must not get a lock file beside it (in /dev).
  const info = await Deno.stat(target).catch(() => undefined);
  if (info) assertReadable(path, info);
  const lock = `${target}.lock`;
  const timeout = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  return await withFileLock(lock, timeout, async () => {
    await removeAbandonedTempFiles(target, lock);
    if (options.warn) await warnIfExposed(path, target, options.warn);
    const text = await readText(target, path);
    const config: AblyConfig = text === undefined
      ? { accounts: table() }
      : text === options.basis?.text
      ? options.basis.config
      : parseConfig(text, path);
    // A file we will not be allowed to replace is refused before `mutate` does anything
    // irreversible (a refresh spends its single-use refresh token).
    if (text !== undefined) await existingTarget(path, target);
    const { changed, value, beforeCommit, written, afterCommit } = await mutate(config);
    if (changed) {
      await replaceFile(path, target, serializeFor(path, written ?? config), beforeCommit);
      await afterCommit?.();
    }
    return value;
  }, { signal: options.signal, onWait: options.onWait });
}

/** Creates the directory and missing parents, each private to the user (0700). */
export async function ensureConfigDir(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = dir;; at = dirnameOf(OS, at)) {
    try {
      const info = await Deno.stat(at);
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
      await Deno.mkdir(at, { mode: 0o700 });
      // mkdir's mode is filtered by the umask; make it exactly 0700.
      if (!isWindows) await Deno.chmod(at, 0o700);
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
async function writeTarget(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch {
    try {
      const link = await Deno.readLink(path);
      return isAbsolutePath(OS, link) ? link : joinPath(OS, dirnameOf(OS, path), link);
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
async function removeAbandonedTempFiles(target: string, lock?: string): Promise<void> {
  const dir = dirnameOf(OS, target);
  const ours = new RegExp(`^${escapeRegExp(`.${basenameOf(OS, target)}.`)}\\d+-[0-9a-f]{8}\\.tmp$`);
  const owners = new Set<number | null>();
  for (const path of [target, lock]) {
    if (!path) continue;
    try {
      owners.add((await Deno.stat(path)).uid);
    } catch {
      // Not there (yet): it names no owner.
    }
  }
  if (owners.size === 0) return;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !ours.test(entry.name)) continue;
      const path = joinPath(OS, dir, entry.name);
      const info = await Deno.lstat(path).catch(() => undefined);
      if (info?.isFile && owners.has(info.uid)) await Deno.remove(path).catch(() => {});
    }
  } catch {
    // Best effort: an unreadable directory will fail the write with a clear error anyway.
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/** Makes the rename itself durable; not possible (nor needed) everywhere. */
async function syncDirectory(dir: string): Promise<void> {
  if (isWindows) return;
  try {
    const handle = await Deno.open(dir, { read: true });
    try {
      await handle.sync();
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
