/**
 * The secret stores this CLI knows, by the name a config table's `credentialStore`
 * marker carries. Adding a store is one module implementing `SecretStore` and one line
 * here; each is loaded only when a config or a login needs it.
 */
import type { StoreRegistry } from "./store.ts";

export const STORES: StoreRegistry = {
  keychain: async () => (await import("./os-keychain.ts")).osKeychain(),
};
