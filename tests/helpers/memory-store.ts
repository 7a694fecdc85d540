/**
 * A secret store of the tests' own, in memory: what adding a store takes is this one
 * module implementing `SecretStore` and one line registering it (`in-process.ts`, as
 * `credentials/stores.ts` registers the OS keychain). Accounts marked
 * `credentialStore = "memory"` keep their secrets here.
 */
import type { SecretItems, SecretStore } from "../../src/credentials/store.ts";

export class MemoryItems implements SecretItems {
  readonly items = new Map<string, string>();
  /** Any call fails with this, when set (a store that is down). */
  down?: string;

  #check(): void {
    if (this.down !== undefined) throw new Error(this.down);
  }

  get(item: string): Promise<string | undefined> {
    this.#check();
    return Promise.resolve(this.items.get(item));
  }

  set(item: string, secret: string): Promise<void> {
    this.#check();
    this.items.set(item, secret);
    return Promise.resolve();
  }

  delete(item: string): Promise<boolean> {
    this.#check();
    return Promise.resolve(this.items.delete(item));
  }

  list(): Promise<string[]> {
    this.#check();
    return Promise.resolve([...this.items.keys()].sort());
  }
}

export function memoryStore(items: MemoryItems): SecretStore {
  return {
    name: "memory",
    label: "the test memory store",
    title: "test memory store",
    place: (item) => item === undefined ? "in memory" : `in memory, item ${item}`,
    open: () => Promise.resolve(items),
    classify: () => "unavailable",
    fixFor: () => "Bring the test memory store back and try again",
  };
}
