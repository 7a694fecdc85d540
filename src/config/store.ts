/**
 * Reads and writes the Ably config file. Knows TOML and files, nothing of
 * terminals. Writes are atomic (temp file, fsync, rename) and every
 * read-modify-write runs under the config lock and re-reads the file first, so
 * concurrent runs never lose each other's changes.
 */
import { parse, stringify } from "smol-toml";
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "./errors.ts";
import { withFileLock } from "./lock.ts";
import { normalise, shapeProblem, table } from "./validate.ts";
import type { ConfigLocation } from "./location.ts";
import type { AblyConfig } from "./schema.ts";

const isWindows = Deno.build.os === "windows";
const TEMP_PREFIX = ".config.";
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/** The parsed config, or `undefined` when the file does not exist yet. */
export async function readConfig(path: string): Promise<AblyConfig | undefined> {
  return (await readSnapshot(path))?.config;
}

/** A parsed config together with the exact text it was parsed from. */
export interface Snapshot {
  config: AblyConfig;
  text: string;
}

export async function readSnapshot(path: string): Promise<Snapshot | undefined> {
  const text = await readText(path);
  return text === undefined ? undefined : { config: parseConfig(text, path), text };
}

async function readText(path: string): Promise<string | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new ConfigError(`Cannot read Ably config ${path}: ${messageOf(error)}`, path, {
      cause: error,
    });
  }
  try {
    // Fatal: a lossy decode would silently rewrite the bytes we do not understand.
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError(
      `Ably config ${path} is not valid UTF-8. It was left unchanged; fix or remove it and try again.`,
      path,
    );
  }
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
  const text = serializeConfig(config);
  const target = await writeTarget(path);
  const dir = dirname(target);
  if (options.holdingLock) await removeAbandonedTempFiles(dir);
  const temp = join(dir, `${TEMP_PREFIX}${Deno.pid}-${crypto.randomUUID().slice(0, 8)}.tmp`);
  try {
    const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o600 });
    try {
      await writeAll(file, new TextEncoder().encode(text));
      if (!isWindows) await Deno.chmod(temp, 0o600);
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temp, target);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw new ConfigError(`Failed to save Ably config ${path}: ${messageOf(error)}`, path, {
      cause: error,
    });
  }
  await syncDirectory(dir);
}

export interface Change<T> {
  /** Whether the config object was modified and must be written. */
  changed: boolean;
  value: T;
}

export interface UpdateOptions {
  lockTimeoutMs?: number;
  /**
   * The caller's earlier, unmodified read. When the file still holds exactly
   * that text, its parsed object is reused instead of parsing again (parsing
   * dominates the cost of a large config).
   */
  basis?: Snapshot;
}

/**
 * Locks the config, re-reads it, applies `mutate` and writes the result when it
 * changed. A file that does not parse is never rewritten: the parse error
 * propagates before `mutate` runs.
 */
export async function updateConfig<T>(
  location: ConfigLocation,
  mutate: (config: AblyConfig) => Change<T> | Promise<Change<T>>,
  options: UpdateOptions = {},
): Promise<T> {
  await ensureConfigDir(location.dir);
  const timeout = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  return await withFileLock(location.lock, timeout, async () => {
    const text = await readText(location.file);
    const config: AblyConfig = text === undefined
      ? { accounts: table() }
      : text === options.basis?.text
      ? options.basis.config
      : parseConfig(text, location.file);
    const { changed, value } = await mutate(config);
    if (changed) await writeConfigAtomic(location.file, config, { holdingLock: true });
    return value;
  });
}

/** Creates the directory (and missing parents) private to the user. */
export async function ensureConfigDir(dir: string): Promise<void> {
  try {
    await Deno.stat(dir);
    return;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new ConfigError(`Cannot access config directory ${dir}: ${messageOf(error)}`, dir);
    }
  }
  try {
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; make it exactly 0700.
    if (!isWindows) await Deno.chmod(dir, 0o700);
  } catch (error) {
    throw new ConfigError(`Cannot create config directory ${dir}: ${messageOf(error)}`, dir);
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
      return resolve(dirname(path), await Deno.readLink(path));
    } catch {
      return path;
    }
  }
}

/**
 * Temp files are only written under the lock, so any found while holding it
 * were left by a writer that died mid-write. They hold secrets: remove them.
 */
async function removeAbandonedTempFiles(dir: string): Promise<void> {
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.startsWith(TEMP_PREFIX) && entry.name.endsWith(".tmp")) {
        await Deno.remove(join(dir, entry.name)).catch(() => {});
      }
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
