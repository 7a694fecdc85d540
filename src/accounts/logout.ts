/**
 * Logging out: the accounts named (or every account there is when the change is made)
 * removed in one locked write, the OAuth sessions nothing uses any more revoked at their
 * issuers just before the new file replaces the old (the transaction works out which),
 * and what happened to every token. `planLogout` is the change itself, pure.
 */
import type { AblyConfig } from "../config/schema.ts";
import type { Snapshot } from "../config/store.ts";
import type { UnreadableSecrets } from "../config/secrets-sync.ts";
import {
  accountsOf,
  type Credentials,
  credentialsOf,
  currentAlias,
  removeAccount,
} from "../config/accounts.ts";
import { aliasesUsing, deleteSession } from "../config/sessions.ts";
import type { Engine } from "./engine.ts";
import { NotConfigured } from "./errors.ts";
import { describeRevocation, type Revocation, warnUnrevokedTokens } from "./revocation.ts";

export interface LogoutRequest {
  /** The accounts to log out of; "all": every account in the file when the change is made. */
  accounts: string[] | "all";
  /** Remove accounts whose stored tokens cannot be read (they are then not revoked). */
  skipRevoke?: boolean;
  /** The caller's earlier read. */
  basis?: Snapshot;
}

export interface LogoutPlan {
  targets: string[];
  /** Each target's credentials before the change. */
  before: Map<string, Credentials>;
  /** Sessions no account used that `--all` ended. */
  orphans: string[];
  remaining: string[];
  current: string | undefined;
  /** Accounts `--all` kept because their stored tokens could not be read. */
  keptAccounts: { alias: string; store: string; reason: string }[];
  /** Sessions no account used that were kept for the same reason. */
  keptSessions: { sessionKey: string; store: string; reason: string }[];
}

export interface LoggedOut extends LogoutPlan {
  /** What happened to each logged-out account's tokens, in target order. */
  accounts: { alias: string; revocation: Revocation }[];
  /** How messages name each store involved, by name. */
  labels: Record<string, string>;
}

/**
 * The change: the targets and, with "all", sessions no account uses (a hand edit, an
 * older tool) removed; accounts and sessions whose stored tokens could not be read kept.
 * `undefined` when a named account is no longer there.
 */
export function planLogout(
  config: AblyConfig,
  accounts: string[] | "all",
  unreadable: UnreadableSecrets[],
): LogoutPlan | undefined {
  const kept = new Set(unreadable.flatMap((found) => found.aliases));
  const keptSessionKeys = new Set(unreadable.map((found) => found.sessionKey));
  const all = accounts === "all";
  // --all means every account there is now, including any added meanwhile.
  const targets = all
    ? Object.keys(accountsOf(config)).filter((alias) => !kept.has(alias))
    : accounts;
  if (!all && !targets.every((alias) => Object.hasOwn(accountsOf(config), alias))) return undefined;
  const before = new Map(targets.map((alias) => [alias, credentialsOf(config, alias)]));
  for (const alias of targets) removeAccount(config, alias);
  const orphans = all
    ? Object.keys(config.oauthSessions ?? {}).filter((key) =>
      !keptSessionKeys.has(key) && aliasesUsing(config, key).length === 0
    )
    : [];
  for (const key of orphans) deleteSession(config, key);
  return {
    targets,
    before,
    orphans,
    remaining: Object.keys(accountsOf(config)),
    current: currentAlias(config),
    keptAccounts: unreadable.flatMap((found) =>
      found.aliases.map((alias) => ({ alias, store: found.store, reason: found.reason }))
    ),
    // A session no account uses whose item cannot be read: kept, and said, like an account.
    keptSessions: unreadable.flatMap((found) =>
      found.sessionKey !== undefined && found.aliases.length === 0
        ? [{ sessionKey: found.sessionKey, store: found.store, reason: found.reason }]
        : []
    ),
  };
}

/**
 * The logout, under the lock on the file as it is then (tokens another run refreshed
 * meanwhile are the ones revoked). Tokens a store cannot give stop a named logout (a
 * `StoreError`) unless `skipRevoke`; "all" keeps just those accounts, and reports them.
 */
export async function logout(engine: Engine, request: LogoutRequest): Promise<LoggedOut> {
  const all = request.accounts === "all";
  const { value: plan, saved, attempts, removed } = await engine.update(
    (fresh, { unreadable }) => {
      const plan = planLogout(fresh, request.accounts, unreadable);
      const changed = plan !== undefined && (plan.targets.length > 0 || plan.orphans.length > 0);
      return { changed, value: plan };
    },
    {
      cancellable: true,
      basis: request.basis,
      reads: request.accounts,
      unreadable: all && !request.skipRevoke ? "keep" : request.skipRevoke ? "remove" : "fail",
    },
  );
  if (!plan || (!saved && plan.keptAccounts.length === 0)) {
    const alias = all ? "" : request.accounts[0];
    throw new NotConfigured(
      alias,
      `Account "${alias}" is no longer configured; another ably process may have logged it out.`,
    );
  }
  warnUnrevokedTokens(engine.out, removed, attempts);
  const accounts = plan.targets.map((alias) => {
    const credentials = plan.before.get(alias)!;
    const gone = credentials.kind === "oauth" &&
      !plan.remaining.some((other) => credentials.sharedWith.includes(other));
    const session = credentials.kind === "oauth"
      ? removed.find((session) => session.sessionKey === credentials.sessionKey)
      : undefined;
    const unreadable = session?.unreadable === undefined
      ? undefined
      : { reason: session.unreadable, store: session.store };
    return { alias, revocation: describeRevocation(credentials, gone, attempts, unreadable) };
  });
  const stores = new Set([
    ...plan.keptAccounts.map((kept) => kept.store),
    ...plan.keptSessions.map((kept) => kept.store),
    ...removed.flatMap((session) =>
      session.unreadable !== undefined && session.store ? [session.store] : []
    ),
  ]);
  const labels: Record<string, string> = {};
  for (const name of stores) labels[name] = (await (await engine.sync()).store(name)).label;
  return { ...plan, accounts, labels };
}
