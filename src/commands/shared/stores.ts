/**
 * The secret stores as commands show them: by name for the rows of a listing, and the
 * items no configured account uses (found only in the stores the config or
 * ABLY_CLI_CREDENTIAL_STORE uses, so a file-only config never loads a store's module).
 */
import type { Context } from "../../context.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { FILE, storesUsed } from "../../config/credential-marks.ts";
import type { Orphans } from "../../accounts/prune.ts";
import type { SecretStore } from "../../credentials/store.ts";

/** The stores named (the file, "file", is no store and is left out), loaded. */
export async function storesNamed(
  ctx: Context,
  names: Iterable<string>,
): Promise<Map<string, SecretStore>> {
  const wanted = [...new Set(names)].filter((name) => name !== FILE);
  return new Map(
    await Promise.all(wanted.map(async (name) => [name, await ctx.accounts.store(name)] as const)),
  );
}

/** The orphans of every store in use (possibly none looked at). */
export async function orphansInUse(ctx: Context, config: AblyConfig): Promise<Orphans[]> {
  const stores = storesUsed(config);
  if (ctx.settings.credentialStore !== FILE) stores.add(ctx.settings.credentialStore);
  const found: Orphans[] = [];
  for (const store of stores) {
    const orphans = await ctx.accounts.orphans(config, store);
    if (orphans) found.push(orphans);
  }
  return found;
}

export function listingUnsupported(store: SecretStore): string {
  return `${
    capitalised(store.label)
  } cannot list its items, so items no account uses cannot be found; delete them with your ${store.name} tool (${store.place()}).`;
}

/**
 * Said wherever it matters, in one clause: the official CLI finds no secret in a marked
 * table (it would say the session expired), and `accounts env` hands them to it. `alias`:
 * whose (null: the current account's).
 */
export function officialCliNote(store: SecretStore, alias: string | null = "ALIAS"): string {
  return `the official Ably CLI cannot read ${store.label}: run eval "$(ably accounts env${
    alias === null ? "" : ` ${alias}`
  })" before it`;
}

/** The one line `list` prints when there are orphaned items. */
export function orphansLine(store: SecretStore, count: number): string {
  return `${count} ${store.name} item${
    count === 1 ? "" : "s"
  } no account uses: run ably accounts ${store.name} --prune`;
}

export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
