/**
 * Recording a login: what must hold before anything is authorized (the file can be
 * saved; a store the login will use, or whose tokens it may read or replace, takes
 * writes), the login as the config records it (`recordLogin`, pure), the one locked
 * write of it (the tokens it replaces revoked by the transaction), and revoking tokens
 * issued for a login that was not stored.
 */
import type { AblyConfig } from "../config/schema.ts";
import {
  accountsOf,
  setCurrentAccount,
  setEndpoint,
  storeAppSelection,
  storeOAuthLogin,
  storeTokenLogin,
} from "../config/accounts.ts";
import {
  credentialsLocation,
  FILE,
  setStoreMark,
  storedSecretsTouchableBy,
  storeOf,
} from "../config/credential-marks.ts";
import { aliasesUsing, sessionKeyFor, sessionOf } from "../config/sessions.ts";
import { DEFAULT_OAUTH_HOST } from "../oauth/endpoint.ts";
import { revokeTokenPair } from "../oauth/revoke.ts";
import type { TokenSet } from "../oauth/tokens.ts";
import type { App, Key, Me, RemoteAccount } from "../control/api.ts";
import type { Engine } from "./engine.ts";
import { warnUnrevokedTokens } from "./revocation.ts";
import { Cancelled } from "../errors.ts";

/** What a login stores: the credentials, and what the user chose. */
export interface LoginPlan {
  credentials: { kind: "oauth"; tokens: TokenSet } | { kind: "token"; token: string };
  me: Me;
  account: RemoteAccount;
  alias: string;
  /** The account stored under the alias when it was chosen, if any. */
  holder?: string;
  app?: { app: App; autoSelected: boolean };
  key?: { key: Key; autoSelected: boolean };
  /** Where its secrets go: "file" or a store's name. */
  store: string;
  /** Other aliases sharing the session whose tokens move into the store with this login. */
  movedWith: string[];
  /** `--endpoint`, recorded with the account. */
  endpoint?: string;
}

/** Another ably process stored a different account under the alias meanwhile. */
export class AliasTaken extends Error {
  constructor(readonly alias: string, readonly holder: string) {
    super(
      `Alias "${alias}" was just taken by another ably process (account ${holder}); nothing was stored. Log in again to choose an alias.`,
    );
    this.name = "AliasTaken";
  }
}

/**
 * Before the user authorizes anything: a config we could not save into fails now, and so
 * does a store we could not keep the tokens in, or read the tokens a login replaces from.
 * Returns the config as read.
 */
export async function prepareLogin(
  engine: Engine,
  alias: string | undefined,
  store: { name: string; askedBy: string },
): Promise<AblyConfig> {
  const config = await engine.read();
  await engine.checkWritable();
  if (store.name !== FILE) {
    await (await engine.sync()).check(store.name, { loginAsked: store.askedBy });
    return config;
  }
  // Without a store a login still reads or writes one when it replaces an alias kept there,
  // or shares (or replaces) a stored session of the same user, known only after
  // authorization. One probe per store is enough: every item of this CLI is in one place
  // of it, so a store that takes the probe's write and delete is reachable for the others.
  const touched = storedSecretsTouchableBy(config, alias);
  for (const name of touched?.stores ?? []) {
    await (await engine.sync()).check(name, { accounts: touched!.aliases });
  }
  return config;
}

/**
 * The other aliases whose file-kept tokens a login into a store moves there too: the same
 * user at the same issuer is one OAuth session (one key), so its tokens move for all.
 */
export function movingWith(
  config: AblyConfig,
  alias: string,
  email: string,
  oauthHost: string | undefined,
): string[] {
  const key = sessionKeyFor(alias, email, oauthHost ?? DEFAULT_OAUTH_HOST);
  const session = sessionOf(config, key);
  if (!session || storeOf(session)) return [];
  return aliasesUsing(config, key).filter((other) => other !== alias);
}

/** The login as the config records it. */
export function recordLogin(
  config: AblyConfig,
  plan: LoginPlan,
  hosts: { oauthHost?: string; controlHost?: string },
): void {
  const { alias, account, me, credentials } = plan;
  const info = {
    accountId: account.id,
    accountName: account.name,
    userEmail: me.user.email,
    oauthHost: hosts.oauthHost,
    controlHost: hosts.controlHost,
  };
  if (credentials.kind === "oauth") storeOAuthLogin(config, alias, credentials.tokens, info);
  else storeTokenLogin(config, alias, credentials.token, info);
  if (plan.store !== FILE) setStoreMark(config, alias, plan.store);
  setCurrentAccount(config, alias);
  if (plan.endpoint) setEndpoint(config, alias, plan.endpoint);
  if (plan.app) storeAppSelection(config, alias, plan.app.app, plan.key?.key);
}

/**
 * One locked write of the plan; the transaction revokes the tokens it replaces. Returns
 * the plan as stored: where the tokens went (a login joining a stored session is kept
 * there too) and who moved with it, as the file was under the lock.
 */
export async function saveLogin(engine: Engine, plan: LoginPlan): Promise<LoginPlan> {
  const { settings } = engine;
  const { value, removed, attempts } = await engine.update((config) => {
    const now = accountsOf(config)[plan.alias]?.accountId;
    if (now !== undefined && now !== plan.holder && now !== plan.account.id) {
      throw new AliasTaken(plan.alias, now);
    }
    const movedWith = plan.store !== FILE && plan.credentials.kind === "oauth"
      ? movingWith(config, plan.alias, plan.me.user.email, settings.oauthHost)
      : [];
    recordLogin(config, plan, settings);
    return {
      changed: true,
      value: { ...plan, store: credentialsLocation(config, plan.alias), movedWith },
    };
  });
  warnUnrevokedTokens(engine.out, removed, attempts, " replaced by this login");
  return value;
}

/**
 * A login that failed after its tokens were issued must not leave them valid: they are
 * revoked first, shielded from a second Ctrl-C (bounded by the OAuth time-out); a
 * cancellation is rethrown with the line that says what became of them.
 */
export async function abandonLogin(
  engine: Engine,
  shield: <T>(what: string, work: Promise<T>) => Promise<T>,
  host: string,
  tokens: TokenSet,
  error: unknown,
): Promise<{ said: string; failure?: string }> {
  const failure = await shield(
    "Revoking the tokens issued for this login first…",
    revokeIssued(engine, host, tokens),
  );
  const said = failure === undefined
    ? "Login cancelled; the issued tokens were revoked and nothing was stored."
    : `Login cancelled; nothing was stored, but the issued tokens could not be revoked (${failure}) and stay valid until they expire.`;
  if (error instanceof Cancelled) throw new Cancelled(undefined, said);
  return { said, ...(failure !== undefined ? { failure } : {}) };
}

/** Revokes tokens issued for a login that was not stored; the reason if one failed. */
async function revokeIssued(
  engine: Engine,
  host: string,
  tokens: TokenSet,
): Promise<string | undefined> {
  // Not the Ctrl-C signal: it may already be aborted, and these tokens must still go.
  const spinner = engine.out.spinner("Revoking the tokens issued for this login");
  const result = await revokeTokenPair(
    { access: tokens.accessToken, refresh: tokens.refreshToken },
    { host, timeoutMs: engine.settings.oauthTimeoutMs, fetch: engine.fetch },
  ).finally(() => spinner.stop());
  const failed = [result.access, result.refresh].find((r) => r?.status === "failed");
  return failed?.status === "failed" ? failed.reason : undefined;
}
