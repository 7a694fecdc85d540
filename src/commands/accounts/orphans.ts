/**
 * Keychain items of this CLI that no configured account refers to: what the official
 * CLI's logout leaves behind (it removes the file entry and cannot know the item), or
 * what a crash between a keychain write and the file's rename leaves. Shared by
 * `accounts list`, `accounts keychain --prune` (and `accounts status`).
 */
import type { Context } from "../../context.ts";
import { Cancelled, CliError } from "../../errors.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { usesKeychain } from "../../config/credential-marks.ts";

export type Orphans =
  /** The items no account uses (possibly none). */
  | { kind: "found"; items: string[] }
  /** This keychain cannot enumerate its items. */
  | { kind: "unsupported" }
  /** The keychain could not be asked (locked, unavailable…): the message with its fix. */
  | { kind: "failed"; reason: string };

export const LISTING_UNSUPPORTED =
  "This OS keychain cannot list its items, so items no account uses cannot be found; delete them with your keychain tool (service ably-cli-deno).";

/**
 * The orphaned items, or `undefined` when neither the config nor ABLY_CLI_CREDENTIAL_STORE
 * suggests the keychain is used (the keychain module is then never loaded: a file-only
 * config's commands start as fast as before). `always`: look even so (`--prune`).
 */
export async function orphanedKeychainItems(
  ctx: Context,
  config: AblyConfig,
  always = false,
): Promise<Orphans | undefined> {
  if (!always && !usesKeychain(config) && ctx.settings.credentialStore !== "keychain") {
    return undefined;
  }
  try {
    const keychain = await ctx.store.keychainItems();
    const names = await keychain.list();
    if (names === undefined) return { kind: "unsupported" };
    const used = keychain.inUse(config);
    return { kind: "found", items: names.filter((name) => !used.has(name)) };
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    return { kind: "failed", reason: error instanceof CliError ? error.message : String(error) };
  }
}

/** The one line `list` (and `status`) print when there are orphaned items. */
export function orphansLine(count: number): string {
  return `${count} keychain item${
    count === 1 ? "" : "s"
  } no account uses: run ably accounts keychain --prune`;
}
