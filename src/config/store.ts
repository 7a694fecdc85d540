/**
 * The Ably config as a store: read and parse it, and change it as one locked,
 * ordered sequence that this module owns:
 *
 *   lock → read → plan (the command's change) → the OAuth tokens it removes →
 *   temp file written and fsynced → secret store writes → the irreversible step
 *   (revocation) → rename, fsync the directory → secret store deletes → result.
 *
 * The official CLI writes the same file without a lock, and a person may remove
 * the lock file: before the irreversible step and again before the rename, the
 * update checks that its lock is still the file at the path and that the config
 * is still what it read. If not, it is redone on a fresh read (under the lock as
 * it is now); tokens already revoked are not sent again. A config that cannot be
 * replaced by rename (a bind-mounted single file) is rewritten in place instead.
 *
 * What a change removes is worked out from the config before and after
 * (`removed.ts`), so no command can forget to revoke. Knows files, nothing of
 * terminals; the secret stores' part comes in through `SecretsSync`.
 */
import { ConfigError } from "./errors.ts";
import { Cancelled } from "../errors.ts";
import { type HeldLock, openLockFile, withFileLock } from "./lock.ts";
import {
  assertReadable,
  ensureDir,
  exposureWarnings,
  isMountedFile,
  missingDirs,
  otherLinks,
  quietly,
  readText,
  removeAbandonedTempFiles,
  replaceableTarget,
  stageFile,
  stageInPlace,
  writeTarget,
} from "./files.ts";
import { table } from "./validate.ts";
import { parseConfig, serializeFor } from "./toml.ts";
import { type RemovedSession, removedTokens, sessionTokens } from "./removed.ts";
import type { SecretsSync, UnreadableSecrets } from "./secrets-sync.ts";
import type { ConfigLocation } from "./location.ts";
import type { AblyConfig } from "./schema.ts";

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** How many times an update whose file changed under it is redone before it gives up. */
const MAX_ATTEMPTS = 5;

/** A parsed config together with the exact text it was parsed from. */
export interface Snapshot {
  config: AblyConfig;
  text: string;
}

/**
 * The config at `path` and its text, or `undefined` when there is no file yet.
 * `warn` is told when others could write the file or swap it out.
 */
export function readSnapshot(
  path: string,
  warn?: (message: string) => void,
): Promise<Snapshot | undefined> {
  return settled(() => {
    const text = readText(path, path);
    if (warn) { for (const message of exposureWarnings(path, writeTarget(path))) warn(message); }
    return text === undefined ? undefined : { config: parseConfig(text, path), text };
  });
}

/** What the store tells the plan besides the config. */
export interface PlanInput {
  /** With `keepUnreadable`: the store items that could not be read. */
  unreadable: UnreadableSecrets[];
}

/** A command's change: edits the config it is handed (the file as it is now). */
export type PlanFn<T> = (config: AblyConfig, input: PlanInput) => Plan<T> | Promise<Plan<T>>;

/** What a command's plan returns: whether the config it was handed changed, and its result. */
export interface Plan<T> {
  changed: boolean;
  value: T;
  /** Tokens the issuer has already retired (a refresh rotates them): never revoked again. */
  retired?: readonly string[];
}

export interface UpdateOptions<R> {
  lockTimeoutMs?: number;
  /**
   * The caller's earlier, unmodified read. When the file still holds exactly
   * that text, its parsed object is reused instead of parsing again (parsing
   * dominates the cost of a large config).
   */
  basis?: Snapshot;
  /** Stops waiting for the lock (the lock's `Cancelled` is thrown and nothing changes). */
  signal?: AbortSignal;
  /** Called once when the lock is still held by another process after about a second. */
  onWait?: (holderPid: string | undefined) => void;
  /** Told when others could write the file or swap it out. */
  warn?: (message: string) => void;
  /** Told, for --verbose, how the update went where it did not go the usual way. */
  note?: (message: string) => void;
  /**
   * The plan spends something (a refresh spends its single-use token): a file this update
   * would not be allowed to replace is refused before it runs.
   */
  spends?: boolean;
  /**
   * The secret stores, for a config whose tables keep (or, after the plan, will keep) their
   * secrets there; asked before the plan and, if it said none, again after it.
   */
  secrets?: (config: AblyConfig) => Promise<SecretsSync | undefined>;
  /** The accounts whose secrets the plan reads (filled in from their stores first). */
  reads?: readonly string[] | "all";
  /** Sessions whose stored tokens cannot be read are removed anyway, unrevoked. */
  removeUnreadable?: boolean;
  /** Items that cannot be read are handed to the plan (which keeps them) instead of failing. */
  keepUnreadable?: boolean;
  /** The issuer for sessions that record none (`--oauth-host`). */
  fallbackIssuer?: string;
  /**
   * The irreversible step: runs once the new file is written and synced and the stores
   * holds the new secrets, immediately before the file replaces the old one, with the
   * tokens the change removes. Its result is the update's `done`. An update redone on a
   * fresh read calls it again only with tokens it was not handed before, and keeps the
   * last result: the step accumulates what it did over one update.
   */
  irreversible?: (removed: RemovedSession[]) => Promise<R>;
}

export interface Updated<T, R> {
  value: T;
  /** Whether the file was replaced. */
  saved: boolean;
  /** The OAuth tokens the change took out of the config. */
  removed: RemovedSession[];
  /** What the irreversible step returned (`undefined`: it had nothing to do). */
  done?: R;
}

/**
 * Whether an update could be saved, checked before something irreversible that an
 * update will follow (a login's device flow): the directory can be created, the file
 * (if any) is a regular, owner-writable file, and the lock file can be opened.
 * Nothing is created: a login that is then cancelled leaves no trace.
 */
export function checkWritable(location: ConfigLocation): Promise<void> {
  return settled(() => {
    missingDirs(location.dir);
    const target = writeTarget(location.file);
    replaceableTarget(location.file, target);
    const lock = `${target}.lock`;
    if (quietly(() => Deno.lstatSync(lock))) openLockFile(lock).close();
  });
}

/**
 * Locks the config, re-reads it, and runs the sequence above. A file that does
 * not parse is never rewritten: the parse error propagates before the plan
 * runs. The lock is `<real file>.lock` beside the file a symlinked config
 * points to, so every path to one file shares one lock. The plan may run more
 * than once (the file changed under the update): what it does besides editing
 * the config it is handed must not be done twice (see `control-access.ts`).
 */
export async function updateConfig<T, R = never>(
  location: ConfigLocation,
  plan: PlanFn<T>,
  options: UpdateOptions<R> = {},
): Promise<Updated<T, R>> {
  ensureDir(location.dir);
  const path = location.file;
  const target = writeTarget(path);
  // Before locking: a config that is a device must not get a lock file beside it (in /dev).
  const info = quietly(() => Deno.statSync(target));
  if (info) assertReadable(path, info);
  const lock = `${target}.lock`;
  const run: Run<R> = { sent: new Set(), sentSessions: [] };
  for (let attempt = 1;; attempt++) {
    try {
      return await withFileLock(
        lock,
        options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
        (held) => attemptUpdate({ path, target, lock, held, run }, plan, options),
        // Once tokens were handed on, a redo is not cancelled: the file must stop naming them.
        { signal: run.sentSessions.length ? undefined : options.signal, onWait: options.onWait },
      );
    } catch (error) {
      if (!(error instanceof Stale)) {
        // An attempt that revoked, then a later one that failed (its read, its lock wait).
        if (error instanceof SavedNothing || !run.sentSessions.length) throw error;
        throw new SavedNothing(error, run.done, run.sentSessions);
      }
      if (attempt === MAX_ATTEMPTS) {
        const failure = new ConfigError(
          `Ably config ${path} kept changing while this update was made (another program ` +
            `writes it without taking ${lock}), so it was left as that program wrote it. ` +
            "Try again once it has finished.",
          path,
        );
        if (run.sentSessions.length) throw new SavedNothing(failure, run.done, run.sentSessions);
        throw failure;
      }
      options.note?.(`${error.message}: reading it again and redoing the change.`);
    }
  }
}

/** One update over its attempts: the tokens handed to the irreversible step so far. */
interface Run<R> {
  /** A plan has run (and may have edited the caller's basis). */
  planned?: boolean;
  sent: Set<string>;
  sentSessions: RemovedSession[];
  done?: R;
}

/** The file, or its lock, changed under an attempt: it is redone on a fresh read. */
class Stale extends Error {}

interface Attempt<R> {
  path: string;
  target: string;
  lock: string;
  held: HeldLock;
  run: Run<R>;
}

async function attemptUpdate<T, R>(
  attempt: Attempt<R>,
  plan: PlanFn<T>,
  options: UpdateOptions<R>,
): Promise<Updated<T, R>> {
  const { path, target, lock, held } = attempt;
  removeAbandonedTempFiles(target, lock);
  if (options.warn) {
    for (const message of exposureWarnings(path, target)) options.warn(message);
  }
  const text = readText(target, path);
  // The basis is reused once: a plan edits the config it is handed, so a redo parses afresh.
  const basis = attempt.run.planned ? undefined : options.basis;
  attempt.run.planned = true;
  const config: AblyConfig = text === undefined
    ? { accounts: table() }
    : text === basis?.text
    ? basis.config
    : parseConfig(text, path);
  if (options.spends && text !== undefined) replaceableTarget(path, target);
  // Nothing destructive rests on a stale read: the lock must still be ours, the file as read.
  const unchanged = () => {
    if (!held.stillHeld()) {
      throw new Stale(`The config lock ${lock} was removed while this update held it`);
    }
    if (readText(target, path) !== text) {
      throw new Stale(`Ably config ${path} was changed by another program meanwhile`);
    }
  };
  return await change({ ...attempt, text, unchanged }, config, plan, options);
}

async function change<T, R>(
  attempt: Attempt<R> & { text: string | undefined; unchanged: () => void },
  config: AblyConfig,
  plan: PlanFn<T>,
  options: UpdateOptions<R>,
): Promise<Updated<T, R>> {
  const { path, target, text, run, held } = attempt;
  const used = await options.secrets?.(config);
  // A secret store (an access dialog) or a plan that makes a request may take a while.
  if (used || options.spends) held.keepAlive();
  let unreadable: UnreadableSecrets[] = [];
  try {
    if (used && options.reads) {
      if (options.keepUnreadable) unreadable = await used.loadEach(config, options.reads);
      else await used.load(config, options.reads);
    }
  } catch (error) {
    // The plan still runs; what it removes is then reported unreadable, not revoked.
    if (!options.removeUnreadable) throw error;
  }
  const before = sessionTokens(config, options.fallbackIssuer);
  const itemsBefore = used?.items(config) ?? new Map<string, string>();
  const { changed, value, retired } = await plan(config, { unreadable });
  if (!changed) return { value, saved: false, removed: [], done: run.done };

  const removed = await removedTokens(before, config, new Set(retired), used, options);
  const secrets = used ?? await options.secrets?.(config);
  if (secrets) held.keepAlive();
  const staged = secrets ? await secrets.stage(config, itemsBefore) : undefined;
  const written = serializeFor(path, staged?.written ?? config);
  const inPlace = text !== undefined && isMountedFile(target);
  if (inPlace) {
    options.note?.(
      `${target} is mounted on its own (a bind-mounted file), so it cannot be replaced: ` +
        "it is rewritten in place, under the lock, and fsynced.",
    );
  } else if (otherLinks(target) > 0) {
    options.warn?.(
      `Ably config ${path} has other hard links; they keep its contents from before this ` +
        "change (including any tokens it removes): the file is replaced, not rewritten, so " +
        "that a crash never leaves it half-written.",
    );
  }
  const file = inPlace
    ? stageInPlace(path, target, written, text)
    : stageFile(path, target, written);
  let irreversible = false;
  // Ctrl-C up to the irreversible step still stops the update with nothing changed (a
  // store can keep us a while: an access dialog); once it has begun (in this attempt or
  // an earlier one), the update ends.
  const stopped = () => {
    if (options.signal?.aborted && !options.spends && !run.sentSessions.length) {
      throw new Cancelled("The config was not changed and nothing was revoked.");
    }
  };
  try {
    stopped();
    await staged?.write();
    stopped();
    attempt.unchanged();
    const unsent = notSent(removed, run.sent);
    if (options.irreversible && unsent.length) {
      held.keepAlive();
      irreversible = true;
      for (const session of unsent) {
        for (const token of [session.accessToken, session.refreshToken]) {
          if (token) run.sent.add(token);
        }
      }
      run.sentSessions.push(...unsent);
      run.done = await options.irreversible(unsent);
    }
    attempt.unchanged();
    file.commit();
  } catch (error) {
    file.discard();
    // Before the irreversible step (or when the attempt is redone) the stores go back to
    // what the old file refers to; after it, the items keep what the step left valid (a
    // refresh's new tokens).
    const redone = error instanceof Stale;
    if ((redone || !irreversible) && !options.spends) await staged?.undo();
    throw error;
  }
  // Out of the stores last: the file no longer refers to these items.
  await staged?.cleanUp();
  return { value, saved: true, removed, done: run.done };
}

/** The removed sessions with the tokens an earlier attempt has not already handed on. */
function notSent(removed: RemovedSession[], sent: Set<string>): RemovedSession[] {
  return removed.flatMap((session) => {
    const accessToken = session.accessToken && !sent.has(session.accessToken)
      ? session.accessToken
      : undefined;
    const refreshToken = session.refreshToken && !sent.has(session.refreshToken)
      ? session.refreshToken
      : undefined;
    if (!accessToken && !refreshToken) return [];
    const { accessToken: _a, refreshToken: _r, ...rest } = session;
    return [{
      ...rest,
      ...(accessToken ? { accessToken } : {}),
      ...(refreshToken ? { refreshToken } : {}),
    }];
  });
}

/**
 * The file work is synchronous (a round trip through Deno's thread pool per system call
 * costs more than the call, on the start-up path of every command); the module's API stays
 * a promise, with a throw as its rejection.
 */
function settled<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

/**
 * The irreversible step of an update ran on `removed` (`done` says what it did), then the
 * new file could not replace the old one: the config is unchanged, which the user must be
 * told.
 */
export class SavedNothing extends Error {
  constructor(
    readonly failure: unknown,
    readonly done: unknown,
    readonly removed: RemovedSession[],
  ) {
    super(failure instanceof Error ? failure.message : String(failure), { cause: failure });
    this.name = "SavedNothing";
  }
}
