/**
 * An in-memory OS keychain for in-process tests: items by name, every call
 * recorded, and the failures a real one has (no service, locked, access denied)
 * switched on at will, with the native binding's own wording.
 */
import type { CredentialStore } from "../../src/credentials/keychain.ts";

export type FakeState = "ok" | "unavailable" | "locked" | "denied";

const FAILURES: Record<Exclude<FakeState, "ok">, string> = {
  unavailable: "Couldn't access platform storage: Secret Service: no result found",
  locked: "Couldn't access platform storage: Secret Service: unlock prompt was dismissed (locked)",
  denied: "Couldn't access platform storage: user canceled the operation",
};

export class FakeKeychain implements CredentialStore {
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
    if (this.state !== "ok") throw new Error(FAILURES[this.state]);
  }

  get(item: string): Promise<string | undefined> {
    this.calls.push(`get ${item}`);
    this.#check();
    return Promise.resolve(this.items.get(item));
  }

  set(item: string, secret: string): Promise<void> {
    this.calls.push(`set ${item}`);
    this.#check();
    if (item === this.failSetOf) {
      return Promise.reject(new Error("Couldn't access platform storage: user canceled"));
    }
    this.items.set(item, secret);
    return Promise.resolve();
  }

  delete(item: string): Promise<boolean> {
    this.calls.push(`delete ${item}`);
    this.#check();
    return Promise.resolve(this.items.delete(item));
  }

  /** The items the CLI's own calls touched, without the availability probe. */
  get touched(): string[] {
    return this.calls.filter((call) => !call.endsWith(" ably-cli-deno-probe"));
  }

  /** An item's tokens, parsed. */
  tokens(item: string): Record<string, string> | undefined {
    const secret = this.items.get(item);
    return secret === undefined ? undefined : JSON.parse(secret);
  }
}
