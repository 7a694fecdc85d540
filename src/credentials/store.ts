/**
 * Where a config's secrets may live instead of the file, behind one interface. A store is
 * registered (`stores.ts`) under the value a config table carries when its secrets are
 * kept there (`credentialStore = "<name>"`): the OS's own credential store today, one in memory in
 * the tests. What a store knows is its items and its own failures; which secrets go where,
 * and when, is the same for every store (`sync.ts`).
 */

/** A store's items: named secrets of this CLI. */
export interface SecretItems {
  /** The item's secret, or `undefined` when there is no such item. */
  get(item: string): Promise<string | undefined>;
  set(item: string, secret: string): Promise<void>;
  /** Whether an item was deleted (`false`: there was none). */
  delete(item: string): Promise<boolean>;
  /** The names of this CLI's items, sorted; absent where the store cannot enumerate. */
  list?(): Promise<string[]>;
}

/** Why a store could not be used: each has its own fix, and none is "log in again". */
export type StoreProblem = "unavailable" | "locked" | "denied" | "failed";

export interface SecretStore {
  /** The marker value of the tables whose secrets it keeps. */
  readonly name: string;
  /** How sentences name it ("the … store"). */
  readonly label: string;
  /** How listings name it (`Tokens: <title>`). */
  readonly title: string;
  /** Where an item is, for messages (e.g. "service ably-cli-deno, account x"); none: the store. */
  place(item?: string): string;
  /** Opens the store (loading what it needs only now); throws what `classify` sorts. */
  open(): Promise<SecretItems>;
  /** Sorts one of its failures into the cases the user can act on. */
  classify(error: unknown): StoreProblem;
  /** What to do about a problem, in a sentence without a full stop. */
  fixFor(problem: StoreProblem): string;
  /** The longest item name and secret it takes, in UTF-16 code units, where it has limits. */
  readonly limits?: { name: number; secret: number };
}

/** The stores a run knows, by name; each loaded only when a config or a login needs it. */
export type StoreRegistry = Record<string, () => Promise<SecretStore>>;

/** The item written and deleted to learn whether a store takes writes. */
export const PROBE_ITEM = "ably-cli-deno-probe";

/**
 * A store could not do what an update or a read needed. Typed to the end: commands
 * catch it by type where they handle it, and `cli/failure.ts` words the rest.
 */
export class StoreError extends Error {
  /** The accounts whose secrets were involved. */
  readonly accounts: string[];
  /** What to do about it, in a sentence without a full stop (the store's own advice). */
  readonly fix?: string;
  /** The problem alone ("locked: <the platform's words>"), for a message that says the rest. */
  readonly reason?: string;

  constructor(
    readonly problem: StoreProblem,
    message: string,
    options: { accounts?: string[]; fix?: string; reason?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "StoreError";
    this.accounts = options.accounts ?? [];
    this.fix = options.fix;
    this.reason = options.reason;
  }
}

/** A failure's first line: platforms append long causes that say nothing more. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
