/**
 * `ably accounts keychain --prune`: keychain items of this CLI that no configured
 * account uses (the official CLI's logout leaves them: it removes the file entry and
 * cannot know the item) hold live tokens. Each is revoked at the issuer its name
 * records (`<email>::<issuer host>`), then deleted; a legacy token item
 * (`account:<alias>`) cannot be revoked and is just deleted, with a note. An item
 * whose revocation failed is kept, so running it again can still revoke it.
 * Done under the config lock: an item a concurrent login is storing is in its file by
 * the time the lock is ours, so it is never taken for an orphan.
 */
import type { Context, KeychainItems } from "../../context.ts";
import { CliError } from "../../errors.ts";
import { KEYCHAIN_SERVICE } from "../../credentials/keychain.ts";
import { type RevokeResult, revokeTokenPair } from "../../oauth/revoke.ts";
import { LISTING_UNSUPPORTED, orphanedKeychainItems } from "./orphans.ts";

const COMPONENT = "accountKeychain";

type Outcome = RevokeResult | { status: "skipped"; reason: "legacy-token" | "unknown-issuer" };

interface Pruned {
  item: string;
  revocation: { access?: Outcome; refresh?: Outcome };
  deleted: boolean;
  /** Why the item was left: its revocation failed, or an account uses it now. */
  kept?: "revocation-failed" | "in-use" | "gone";
}

export async function prune(ctx: Context, force: boolean): Promise<void> {
  const { out } = ctx;
  if (out.json && !force) {
    throw new CliError("The --force flag is required when using --json to prune keychain items", {
      component: COMPONENT,
    });
  }
  const config = (await ctx.store.read()) ?? {};
  const found = (await orphanedKeychainItems(ctx, config, true))!;
  if (found.kind === "unsupported") {
    throw new CliError(LISTING_UNSUPPORTED, { component: COMPONENT });
  }
  if (found.kind === "failed") throw new CliError(found.reason, { component: "keychain" });
  if (found.items.length === 0) {
    out.result({ items: [] });
    out.print("No keychain items to prune: every item is used by a configured account.");
    return;
  }
  if (!force) {
    out.note(
      `${found.items.length} keychain item${
        found.items.length === 1 ? "" : "s"
      } (service ${KEYCHAIN_SERVICE}) no account in ${ctx.settings.config.file} uses:`,
    );
    for (const item of found.items) out.note(`  ${item}`);
    out.note(
      "Their tokens will be revoked and the items deleted. Items another config directory (ABLY_CLI_CONFIG_DIR) uses look unused here: prune from there only.",
    );
    if (!(await ctx.prompter.confirm("Revoke and delete them?"))) {
      out.warning("Prune cancelled.");
      return;
    }
  }

  const { value: pruned } = await ctx.store.update(async (fresh) => {
    const keychain = await ctx.store.keychainItems();
    const used = keychain.inUse(fresh);
    const results: Pruned[] = [];
    for (const item of found.items) {
      results.push(
        used.has(item)
          ? { item, revocation: {}, deleted: false, kept: "in-use" }
          : await pruneOne(ctx, keychain, item),
      );
    }
    return { changed: false, value: results };
  }, { cancellable: true });

  out.result({ items: pruned });
  if (!out.json) {
    for (const { item, revocation, deleted, kept } of pruned) {
      const failed = [revocation.access, revocation.refresh].find((r) => r?.status === "failed");
      if (kept === "revocation-failed") {
        out.warning(
          `Kept keychain item ${item}: revoking its tokens failed (${
            failed?.status === "failed" ? failed.reason : "unknown"
          }); run ably accounts keychain --prune again later.`,
        );
      } else if (kept === "in-use") {
        out.print(`Kept keychain item ${item}: an account uses it now.`);
      } else if (kept === "gone") {
        out.print(`Keychain item ${item} was already gone.`);
      } else if (
        revocation.access?.status === "skipped" && revocation.access.reason === "legacy-token"
      ) {
        out.success(`Deleted keychain item ${item}.`);
        out.warning(
          "Its legacy (pre-OAuth) token cannot be revoked by the CLI; revoke it in the Ably dashboard if it is no longer needed.",
        );
      } else if (revocation.access?.status === "skipped") {
        out.success(`Deleted keychain item ${item}.`);
        out.warning(
          "Its tokens were not revoked: the item's name records no issuer to send them to; they stay valid until they expire.",
        );
      } else if (deleted) {
        out.success(`Revoked the tokens of keychain item ${item} and deleted it.`);
      }
    }
  }
  const failures = pruned.filter((p) => p.kept === "revocation-failed").map((p) => p.item);
  if (failures.length) {
    throw new CliError(
      `${failures.length} keychain item${
        failures.length === 1 ? " was" : "s were"
      } kept because revoking ${failures.length === 1 ? "its" : "their"} tokens failed: ${
        failures.join(", ")
      }.`,
      { component: COMPONENT, context: { kept: failures } },
    );
  }
}

/** Revokes one orphaned item's tokens at the issuer its name records, then deletes it. */
async function pruneOne(ctx: Context, keychain: KeychainItems, item: string): Promise<Pruned> {
  const secret = await keychain.secret(item);
  if (secret === undefined) return { item, revocation: {}, deleted: false, kept: "gone" };
  const tokens = tokensIn(secret);
  ctx.out.protect([secret, tokens.accessToken, tokens.refreshToken]);
  let revocation: Pruned["revocation"];
  const separator = item.lastIndexOf("::");
  if (item.startsWith("account:")) {
    revocation = { access: { status: "skipped", reason: "legacy-token" } };
  } else if (separator < 0 || separator + 2 >= item.length) {
    const skipped = { status: "skipped", reason: "unknown-issuer" } as const;
    revocation = { access: skipped, refresh: skipped };
  } else {
    // Only ever to the server that minted them: the issuer in the session key.
    const host = item.slice(separator + 2);
    ctx.out.verbose("oauth", "revokeStart", `Revoking OAuth tokens at ${host}`, { host });
    revocation = await revokeTokenPair(
      { access: tokens.accessToken, refresh: tokens.refreshToken },
      { host, timeoutMs: ctx.settings.oauthTimeoutMs, signal: ctx.signal, fetch: ctx.fetch },
    );
    if ([revocation.access, revocation.refresh].some((r) => r?.status === "failed")) {
      return { item, revocation, deleted: false, kept: "revocation-failed" };
    }
  }
  return { item, revocation, deleted: await keychain.remove(item) };
}

function tokensIn(secret: string): { accessToken?: string; refreshToken?: string } {
  try {
    const parsed = JSON.parse(secret);
    const text = (value: unknown) => typeof value === "string" ? value : undefined;
    return { accessToken: text(parsed?.accessToken), refreshToken: text(parsed?.refreshToken) };
  } catch {
    return {};
  }
}
