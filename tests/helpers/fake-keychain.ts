/**
 * Stand-ins for the OS keychain, failing with the native binding's own wording
 * (@napi-rs/keyring 1.3.0: keyring-core 1.0's Display around the platform's text,
 * then anyhow's "Caused by:" chain):
 *
 * - `FakeKeychain`, the OS keychain's items in memory for in-process command tests:
 *   items by name, every call recorded, failures switched on at will.
 * - `fakeBinding`, a scripted `@napi-rs/keyring` for `openKeychain`, so tests drive
 *   the real module: like the binding, reads and deletes swallow every failure
 *   (`undefined` / `false`), and only writes and listing throw.
 */
import type { SecretItems } from "../../src/credentials/store.ts";
import type { KeyringBinding, KeyringEntry } from "../../src/credentials/os-keychain.ts";

/** An error as the binding throws it: napi's GenericFailure with anyhow's Debug text. */
export function nativeError(display: string, cause?: string): Error {
  const message = cause === undefined ? display : `${display}\n\nCaused by:\n    ${cause}`;
  return Object.assign(new Error(message), { code: "GenericFailure" });
}

/** Real failure texts per state (see tests/credentials/keychain.test.ts for their sources). */
export const NATIVE = {
  // Linux, gnome-keyring with no default collection.
  unavailable: () =>
    nativeError(
      "Couldn't access platform storage: Secret Service: no result found",
      "Secret Service: no result found",
    ),
  // Linux, a locked collection whose unlock prompt was dismissed (or could not be shown).
  locked: () =>
    nativeError(
      "Couldn't access platform storage: Secret Service: unlock prompt was dismissed",
      "Secret Service: unlock prompt was dismissed",
    ),
  // macOS errSecUserCanceled (-128).
  denied: () =>
    nativeError("Platform failure: User canceled the operation.", "User canceled the operation."),
  // keyring-core 1.0 NoEntry (older bindings threw it from reads and deletes).
  missing: () => nativeError("No matching credential found"),
};

export type FakeState = "ok" | "unavailable" | "locked" | "denied";

export class FakeKeychain implements SecretItems {
  readonly items = new Map<string, string>();
  /** `get x`, `set x`, `delete x`, in order (the probe item included). */
  readonly calls: string[] = [];
  state: FakeState = "ok";
  /** Fail only the set of this item (e.g. to fail a move halfway). */
  failSetOf?: string;

  constructor(items: Record<string, string> = {}) {
    for (const [item, secret] of Object.entries(items)) this.items.set(item, secret);
  }

  #check(): void {
    if (this.state !== "ok") throw NATIVE[this.state]();
  }

  get(item: string): Promise<string | undefined> {
    // As the native binding: an item name that is not a string is an error, not "no item".
    if (typeof item !== "string") return Promise.reject(new TypeError(`item name ${item}`));
    this.calls.push(`get ${item}`);
    this.#check();
    return Promise.resolve(this.items.get(item));
  }

  set(item: string, secret: string): Promise<void> {
    this.calls.push(`set ${item}`);
    this.#check();
    if (this.failSetOf !== undefined && sameItem(item, this.failSetOf)) {
      return Promise.reject(NATIVE.denied());
    }
    this.items.set(item, secret);
    return Promise.resolve();
  }

  delete(item: string): Promise<boolean> {
    this.calls.push(`delete ${item}`);
    this.#check();
    return Promise.resolve(this.items.delete(item));
  }

  list(): Promise<string[]> {
    this.calls.push("list");
    this.#check();
    return Promise.resolve([...this.items.keys()].sort());
  }

  /** The items the CLI's own calls touched, without the availability probe. */
  get touched(): string[] {
    return this.calls.filter((call) => !call.endsWith(" ably-cli-deno-probe"));
  }

  /** `touched`, each item by the name it would have had before namespaces. */
  get touchedByOldName(): string[] {
    return this.touched.map((call) => call.replace(/ (.*)$/, (_, item) => ` ${oldName(item)}`));
  }

  /** The items held, each by the name it would have had before namespaces. */
  oldNames(): string[] {
    return [...this.items.keys()].map(oldName);
  }

  /**
   * The name an item has now, given the name it had before configs had a namespace (a
   * session key, `account:<alias>`): the namespaced one when an item holds it.
   */
  nameOf(legacy: string): string {
    if (this.items.has(legacy)) return legacy;
    return [...this.items.keys()].find((name) => sameItem(name, legacy)) ?? legacy;
  }

  /** Whether an item holds what `legacy` named, under either name. */
  has(legacy: string): boolean {
    return this.items.has(this.nameOf(legacy));
  }

  /** Whether the CLI called `op` (get, set, delete) on the item `legacy` names, by either name. */
  called(op: string, legacy: string): boolean {
    return this.touched.some((call) =>
      call.startsWith(`${op} `) && sameItem(call.slice(op.length + 1), legacy)
    );
  }

  /** An item's tokens, parsed (`item` by either name). */
  tokens(item: string): Record<string, string> | undefined {
    const secret = this.items.get(this.nameOf(item));
    return secret === undefined ? undefined : JSON.parse(secret);
  }
}

/** An item's name as it was before namespaces: `cfg-…:session:K` → `K`, `…:token:A` → `account:A`. */
export function oldName(name: string): string {
  const match = /^cfg-[0-9a-f]{12}:(session|token|key):(.*)$/.exec(name);
  if (!match) return name;
  return match[1] === "session"
    ? match[2]
    : match[1] === "token"
    ? `account:${match[2]}`
    : `key:${match[2]}`;
}

/** Whether item `name` holds what `legacy` named before namespaces (the same name, or its new form). */
export function sameItem(name: string, legacy: string): boolean {
  if (name === legacy) return true;
  const current = legacy.startsWith("account:") ? `token:${legacy.slice(8)}` : `session:${legacy}`;
  return /^cfg-[0-9a-f]{12}:/.test(name) && name.slice(17) === current;
}

/** What a scripted binding does; every field can change between calls. */
export interface BindingScript {
  /** Items by account name (the service is checked, not stored). */
  items: Map<string, string>;
  /** Thrown by every operation (reads and deletes swallow it, as the binding does). */
  failure?: () => Error;
  /** Thrown by `new AsyncEntry` (a store that cannot be built). */
  constructorFailure?: () => Error;
  /** Reads and deletes throw (`failure`, or NoEntry for a missing item) instead of swallowing. */
  throwing?: boolean;
  /** Called after every write: e.g. the user unlocks the keychain at the probe's prompt. */
  afterSet?: (account: string) => void;
  /** Left out: a binding without `findCredentialsAsync`. */
  noFind?: boolean;
  /** `service op account`, in order. */
  calls: string[];
}

export function bindingScript(items: Record<string, string> = {}): BindingScript {
  return { items: new Map(Object.entries(items)), calls: [] };
}

/** A `@napi-rs/keyring` look-alike driven by `script`. */
export function fakeBinding(script: BindingScript): KeyringBinding {
  class AsyncEntry implements KeyringEntry {
    constructor(readonly service: string, readonly account: string) {
      script.calls.push(`${service} new ${account}`);
      if (script.constructorFailure) throw script.constructorFailure();
    }
    #log(op: string) {
      script.calls.push(`${this.service} ${op} ${this.account}`);
    }
    getPassword(): Promise<string | undefined> {
      this.#log("get");
      const secret = script.failure ? undefined : script.items.get(this.account);
      if (script.throwing && secret === undefined) {
        return Promise.reject((script.failure ?? NATIVE.missing)());
      }
      return Promise.resolve(secret);
    }
    setPassword(password: string): Promise<void> {
      this.#log("set");
      if (script.failure) return Promise.reject(script.failure());
      script.items.set(this.account, password);
      script.afterSet?.(this.account);
      return Promise.resolve();
    }
    deleteCredential(): Promise<boolean> {
      this.#log("delete");
      const deleted = !script.failure && script.items.delete(this.account);
      if (script.throwing && !deleted) {
        return Promise.reject((script.failure ?? NATIVE.missing)());
      }
      return Promise.resolve(deleted);
    }
  }
  const findCredentialsAsync = (service: string) => {
    script.calls.push(`${service} find`);
    if (script.failure) return Promise.reject(script.failure());
    return Promise.resolve(
      [...script.items].map(([account, password]) => ({ account, password })),
    );
  };
  return script.noFind ? { AsyncEntry } : { AsyncEntry, findCredentialsAsync };
}
