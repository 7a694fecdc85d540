/**
 * A store's `--prune`: items of a store that no configured account uses hold
 * live tokens (the official CLI's logout leaves them). Asked about, then revoked and
 * deleted by the accounts service; here is what the user is asked and told.
 */
import type { Context } from "../../context.ts";
import { CliError } from "../../errors.ts";
import type { Pruned } from "../../accounts/prune.ts";
import { ACCESS_TOKEN_NOT_REVOKED } from "../../accounts/revocation.ts";
import type { SecretStore } from "../../credentials/store.ts";
import { capitalised, listingUnsupported } from "./stores.ts";

export async function prune(ctx: Context, storeName: string, force: boolean): Promise<void> {
  const { out } = ctx;
  if (out.json && !force) {
    throw new CliError(
      `The --force flag is required when using --json to prune ${storeName} items`,
    );
  }
  const config = await ctx.accounts.read();
  const found = (await ctx.accounts.orphans(config, storeName, true))!;
  if (found.kind === "unsupported") throw new CliError(listingUnsupported(found.store));
  if (found.kind === "failed") throw new CliError(found.reason, { component: "credentials" });
  const { store, items, others, unclaimed } = found;
  const left = {
    ...(others ? { otherConfigs: others } : {}),
    ...(unclaimed.length ? { unclaimed } : {}),
  };
  if (items.length === 0) {
    out.result({ items: [], ...left });
    out.print(`No ${store.name} items of this config to prune: every one is used by an account.`);
    reportLeft(ctx, store, others, unclaimed);
    return;
  }
  if (!force && !(await confirmPrune(ctx, store, items))) {
    out.warning("Prune cancelled.");
    return;
  }
  const pruned = await ctx.accounts.prune(storeName, items);
  out.result({ items: pruned, ...left });
  if (!out.json) { for (const outcome of pruned) report(ctx, store, outcome); }
  reportLeft(ctx, store, others, unclaimed);
  const failures = pruned.filter((p) => p.kept === "revocation-failed").map((p) => p.item);
  if (failures.length) {
    throw new CliError(
      `${failures.length} ${store.name} item${
        failures.length === 1 ? " was" : "s were"
      } kept because revoking ${failures.length === 1 ? "its" : "their"} tokens failed: ${
        failures.join(", ")
      }.`,
      { context: { kept: failures } },
    );
  }
}

async function confirmPrune(ctx: Context, store: SecretStore, items: string[]): Promise<boolean> {
  const { out } = ctx;
  out.note(
    `${items.length} ${store.name} item${
      items.length === 1 ? "" : "s"
    } (${store.place()}) no account in ${ctx.settings.config.file} uses:`,
  );
  for (const item of items) out.note(`  ${item}`);
  out.note("Their tokens will be revoked and the items deleted.");
  return await ctx.prompter.confirm("Revoke and delete them?");
}

function report(ctx: Context, store: SecretStore, outcome: Pruned): void {
  const { out } = ctx;
  const { revocation, deleted, kept } = outcome;
  const item = `${store.name} item ${outcome.item}`;
  const failed = [revocation.access, revocation.refresh].find((r) => r?.status === "failed");
  if (kept === "revocation-failed") {
    out.warning(
      `Kept ${item}: revoking its tokens failed (${
        failed?.status === "failed" ? failed.reason : "unknown"
      }); run ably accounts ${store.name} --prune again later.`,
    );
  } else if (kept === "in-use") {
    out.print(`Kept ${item}: an account uses it now.`);
  } else if (kept === "gone") {
    out.print(`${capitalised(item)} was already gone.`);
  } else if (
    revocation.access?.status === "skipped" && revocation.access.reason === "access-token"
  ) {
    out.success(`Deleted ${item}.`);
    out.warning(
      `Its token was not revoked: ${ACCESS_TOKEN_NOT_REVOKED}.`,
    );
  } else if (revocation.access?.status === "skipped" && revocation.access.reason === "api-key") {
    out.success(`Deleted ${item}, a copy of an app's API key (the key itself stays valid).`);
  } else if (revocation.access?.status === "skipped") {
    out.success(`Deleted ${item}.`);
    out.warning(
      "Its tokens were not revoked: the item's name records no issuer to send them to; they stay valid until they expire.",
    );
  } else if (deleted) {
    out.success(`Revoked the tokens of ${item} and deleted it.`);
  }
}

/** What prune leaves alone, and why: other configs' items, and those named before namespaces. */
function reportLeft(ctx: Context, store: SecretStore, others: number, unclaimed: string[]) {
  const { out } = ctx;
  if (out.json) return;
  if (others) {
    out.note(
      `Left ${others} ${store.name} item${
        others === 1 ? "" : "s"
      } of other config directories (ABLY_CLI_CONFIG_DIR): prune from there.`,
    );
  }
  if (unclaimed.length === 0) return;
  out.note(
    `Left ${unclaimed.length} ${store.name} item${
      unclaimed.length === 1 ? "" : "s"
    } named before configs had their own names in the ${store.name}; another config directory may still use ${
      unclaimed.length === 1 ? "it" : "them"
    } (ably renames each the next time it updates that config's secrets):`,
  );
  for (const item of unclaimed) out.note(`  ${item}`);
  out.note(
    `If none does, delete ${
      unclaimed.length === 1 ? "it" : "them"
    } with your ${store.name} tool (${store.place()}).`,
  );
}
