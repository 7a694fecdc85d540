/**
 * Switching accounts: making a configured alias current, or adopting an account that a
 * configured OAuth login reaches (Control API `GET /me/accounts`) without being
 * configured, stored under a new alias that shares that login's session (as the official
 * CLI's picker does). Each is one locked write; `adoptAccount` is the change, pure.
 */
import type { AblyConfig, AccountRecord } from "../config/schema.ts";
import { accountsOf, currentAlias, setCurrentAccount, setEndpoint } from "../config/accounts.ts";
import { aliasFromName, uniqueAlias } from "../config/alias.ts";
import { table } from "../config/validate.ts";
import type { RemoteAccount } from "../control/api.ts";
import { Cancelled } from "../errors.ts";
import type { Engine } from "./engine.ts";
import { NotConfigured } from "./errors.ts";
import { controlFor } from "./control.ts";

/** An account a configured login reaches, and the alias whose login reaches it. */
export interface Reachable {
  account: RemoteAccount;
  via: string;
}

/** Makes a configured alias current. */
export async function switchTo(engine: Engine, alias: string, endpoint?: string): Promise<void> {
  await engine.update((fresh) => {
    if (!Object.hasOwn(accountsOf(fresh), alias)) {
      throw new NotConfigured(alias, `Account "${alias}" is no longer configured.`);
    }
    setCurrentAccount(fresh, alias);
    if (endpoint) setEndpoint(fresh, alias, endpoint);
    return { changed: true, value: undefined };
  }, { cancellable: true });
}

/** The login that reaches an account was removed meanwhile, or an alias appeared. */
export class AdoptionFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdoptionFailed";
  }
}

/**
 * Stores `target.account` under a new alias sharing the session of `target.via` (hosts
 * carried over, the session and its scope untouched) and makes it current; an alias of
 * the same account and login, if one was configured meanwhile, is just made current.
 * Returns the alias, and the one it wanted when that belonged to another account.
 */
export function adoptAccount(
  config: AblyConfig,
  target: Reachable,
): { alias: string; taken?: { alias: string; accountId?: string } } {
  const { account } = target;
  const accounts = accountsOf(config);
  const via = Object.hasOwn(accounts, target.via) ? accounts[target.via] : undefined;
  if (!via?.oauthSessionKey) {
    throw new AdoptionFailed(
      `Account "${target.via}" no longer has the OAuth login that reaches ${account.name}; nothing was changed.`,
    );
  }
  const existing = Object.keys(accounts).find((alias) =>
    accounts[alias].accountId === account.id &&
    accounts[alias].oauthSessionKey === via.oauthSessionKey
  );
  if (existing) {
    setCurrentAccount(config, existing);
    return { alias: existing };
  }
  const base = aliasFromName(account.name);
  const alias = uniqueAlias(config, base, account.id);
  if (Object.hasOwn(accounts, alias)) {
    throw new AdoptionFailed(`Alias "${alias}" is already configured; nothing was changed.`);
  }
  // The official CLI's key order for an OAuth account.
  const record: AccountRecord = {
    accountId: account.id,
    accountName: account.name,
    apps: table(),
    authMethod: "oauth",
    controlHost: via.controlHost,
    oauthHost: via.oauthHost,
    oauthSessionKey: via.oauthSessionKey,
    userEmail: via.userEmail,
  };
  accounts[alias] = record;
  setCurrentAccount(config, alias);
  return {
    alias,
    ...(alias !== base ? { taken: { alias: base, accountId: accounts[base].accountId } } : {}),
  };
}

/** The adoption, in one locked write; says when the alias it wanted was taken. */
export async function adopt(engine: Engine, target: Reachable, endpoint?: string): Promise<string> {
  const { value } = await engine.update((fresh) => {
    const adopted = adoptAccount(fresh, target);
    if (endpoint) setEndpoint(fresh, adopted.alias, endpoint);
    return { changed: true, value: adopted };
  }, { cancellable: true });
  if (value.taken) {
    engine.out.warning(
      `Alias "${value.taken.alias}" is already used by a different account (${
        value.taken.accountId ?? "unknown ID"
      }); storing this account as "${value.alias}" instead.`,
    );
  }
  return value.alias;
}

/** One alias per OAuth session (the current account's first), for listing what it reaches. */
export function loginsOf(config: AblyConfig): string[] {
  const accounts = accountsOf(config);
  const current = currentAlias(config);
  const order = [
    ...(current !== undefined && Object.hasOwn(accounts, current) ? [current] : []),
    ...Object.keys(accounts),
  ];
  const seen = new Set<string>();
  return order.filter((alias) => {
    const key = accounts[alias].authMethod === "oauth"
      ? accounts[alias].oauthSessionKey
      : undefined;
    if (!key || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The accounts the login of `via` reaches, or why they could not be listed. */
export async function reachable(
  engine: Engine,
  config: AblyConfig,
  via: string,
): Promise<{ accounts?: RemoteAccount[]; problem?: string }> {
  try {
    const { client } = await controlFor(engine, via, config);
    return { accounts: await client.accounts() };
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    return { problem: (error as Error).message };
  }
}

/** The configured logins through which account `id` is reachable, with its listing. */
export async function reachingLogins(
  engine: Engine,
  config: AblyConfig,
  id: string,
): Promise<Reachable[]> {
  const logins = loginsOf(config);
  if (logins.length === 0) return [];
  const spinner = engine.out.spinner("Looking for the account among those your logins reach");
  try {
    const listed = await Promise.all(logins.map(async (via) => {
      const found = (await reachable(engine, config, via)).accounts?.find((a) => a.id === id);
      return found ? [{ via, account: found }] : [];
    }));
    return listed.flat();
  } finally {
    spinner.stop();
  }
}
