/** Default aliases derived from account names, exactly as the official CLI derives them. */
import slugify from "slugify";
import type { AblyConfig } from "./schema.ts";
import { accountsOf } from "./accounts.ts";

/** Letters of either case, as the official CLI accepts them from `--alias`. */
const ALIAS_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** `Acme & Co.` → `acme-and-co`, `42 Labs` → `account-42-labs`, `!!!` → `default`. */
export function aliasFromName(name: string): string {
  const slug = slugify(name, { lower: true, strict: true, trim: true })
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  if (!slug) return "default";
  return /^[a-z]/.test(slug) ? slug : `account-${slug}`;
}

/** `base` unless another account holds it; then `base-2`, `base-3`, … */
export function uniqueAlias(config: AblyConfig, base: string, accountId: string): string {
  const accounts = accountsOf(config);
  const holder = Object.hasOwn(accounts, base) ? accounts[base] : undefined;
  if (!holder || holder.accountId === accountId) return base;
  for (let n = 2;; n++) {
    const candidate = `${base}-${n}`;
    if (!Object.hasOwn(accounts, candidate)) return candidate;
  }
}

/** Why an alias typed by the user is unusable, or `undefined` when it is fine. */
export function aliasProblem(alias: string): string | undefined {
  return ALIAS_PATTERN.test(alias)
    ? undefined
    : "An alias must start with an ASCII letter (a-z, A-Z) and contain only ASCII letters, digits, dashes and underscores";
}
