/**
 * The accounts of this run's config, as named operations: what commands call (as gh's
 * `AuthConfig.Login`, `.Logout`, `.SwitchUser`), each a planned change over the one
 * transaction (`engine.ts`), which keeps the order and the guarantees: lock, fresh read,
 * secrets into their stores before the file, revocation before the commit, redone on a
 * fresh read when the file changed. Reads are here too, and the stores' checks. Each
 * operation's module is loaded only when it is called.
 */
import type { AblyConfig } from "../config/schema.ts";
import type { TokenSet } from "../oauth/tokens.ts";
import type { ControlClient, RemoteAccount } from "../control/api.ts";
import type { SecretStore } from "../credentials/store.ts";
import type { StoreCheck } from "../credentials/sync.ts";
import { type Engine, engine, type EngineDeps } from "./engine.ts";
import type { LoggedOut, LogoutRequest } from "./logout.ts";
import type { LoginPlan } from "./login.ts";
import type { StoredToken } from "./tokens.ts";
import type { Verification } from "./control.ts";
import type { Reachable } from "./switch.ts";
import type { MoveStatus } from "./move.ts";
import type { Orphans, Pruned } from "./prune.ts";

/** Reading the config (`read`, `snapshot`, `loadSecrets`) is the engine's, as it is. */
export interface Accounts extends Pick<Engine, "read" | "snapshot" | "loadSecrets"> {
  /** The store named (its label and places, for messages). */
  store(name: string): Promise<SecretStore>;
  /** Fails with a clear error, before anything is asked or issued, when a store cannot be used. */
  checkStore(name: string, why?: StoreCheck): Promise<void>;

  /** Log out of these accounts (or all), revoking what nothing uses any more. */
  logout(request: LogoutRequest): Promise<LoggedOut>;
  /**
   * Before a login authorizes anything: the config, checked writable, and its stores usable
   * (`store`: where the login keeps its tokens, and what asked for that).
   */
  prepareLogin(
    alias: string | undefined,
    store: { name: string; askedBy: string },
  ): Promise<AblyConfig>;
  /** Other aliases whose session a login of `email` into a store moves there too. */
  movingWith(config: AblyConfig, alias: string, email: string): Promise<string[]>;
  /** Store a login as planned; returns it as stored. */
  recordLogin(plan: LoginPlan): Promise<LoginPlan>;
  /**
   * A login that failed after its tokens were issued (`error`): they are revoked first (a
   * second Ctrl-C waits for that), and a cancellation is rethrown saying what became of
   * them. Otherwise the line that says so, and why the revocation failed, if it did.
   */
  abandonLogin(
    host: string,
    tokens: TokenSet,
    error: unknown,
  ): Promise<{ said: string; failure?: string }>;
  /** The account's usable token, refreshed at its issuer when it must be. */
  token(alias: string, config: AblyConfig): Promise<StoredToken>;
  /** A Control API client for a token not (yet) stored: a login's. */
  controlWith(token: string): Promise<ControlClient>;
  /** A Control API client for `host` and `token`, with its own time-out (a status check). */
  controlAt(host: string, token: string, timeoutMs: number): Promise<ControlClient>;
  /** A Control API client for the account, and its host. */
  control(alias: string, config: AblyConfig): Promise<{ client: ControlClient; host: string }>;
  /**
   * `GET /me` as the account; a failure is a result sorted by what fixes it. Ctrl-C ends
   * it, saying `cancelled` instead of the command's own line when given.
   */
  verify(
    alias: string,
    config: AblyConfig,
    options?: { cancelled?: string },
  ): Promise<Verification>;
  /** Make a configured alias current. */
  switchTo(alias: string, endpoint?: string): Promise<void>;
  /** Store a reachable account under a new alias sharing its login's session; make it current. */
  adopt(target: Reachable, endpoint?: string): Promise<string>;
  /** The accounts the login of `via` reaches, or why they could not be listed. */
  reachable(
    config: AblyConfig,
    via: string,
  ): Promise<{ accounts?: RemoteAccount[]; problem?: string }>;
  /** The configured logins through which account `id` is reachable. */
  reachingLogins(config: AblyConfig, id: string): Promise<Reachable[]>;
  /** Move an account's secrets to a store or "file". */
  move(alias: string, to: string): Promise<{ status: MoveStatus; movedWith: string[] }>;
  /** Items of `store` no account uses (`undefined`: the store is not in use and was not asked). */
  orphans(config: AblyConfig, store: string, always?: boolean): Promise<Orphans | undefined>;
  /** Revoke and delete those items, under the lock. */
  prune(store: string, items: string[]): Promise<Pruned[]>;
}

export interface ServiceDeps extends EngineDeps {
  /** Lets a clean-up that must run finish despite a second Ctrl-C, saying `what` it waits for. */
  shield<T>(what: string, work: Promise<T>): Promise<T>;
}

export function accountsService(deps: ServiceDeps): Accounts {
  const core = engine(deps);
  return {
    read: core.read,
    snapshot: core.snapshot,
    loadSecrets: core.loadSecrets,
    store: async (name) => await (await core.sync()).store(name),
    checkStore: async (name, why) => await (await core.sync()).check(name, why),
    logout: async (request) => (await import("./logout.ts")).logout(core, request),
    prepareLogin: async (alias, store) =>
      (await import("./login.ts")).prepareLogin(core, alias, store),
    movingWith: async (config, alias, email) =>
      (await import("./login.ts")).movingWith(config, alias, email, deps.settings.oauthHost),
    recordLogin: async (plan) => (await import("./login.ts")).saveLogin(core, plan),
    abandonLogin: async (host, tokens, error) =>
      (await import("./login.ts")).abandonLogin(core, deps.shield, host, tokens, error),
    token: async (alias, config) => {
      const { usableToken, refreshedToken } = await import("./tokens.ts");
      await core.loadSecrets(config, [alias]);
      const stored = usableToken(deps.now(), config, alias);
      if (stored) return stored;
      const spinner = deps.out.spinner("Refreshing the access token");
      return await refreshedToken(core, alias).finally(() => spinner.stop());
    },
    controlWith: async (token) => {
      const { clientOf, controlHostFor } = await import("./control.ts");
      return clientOf(core, controlHostFor(deps.settings, undefined, false), token);
    },
    controlAt: async (host, token, timeoutMs) => {
      const { clientOf } = await import("./control.ts");
      return clientOf(core, host, token, timeoutMs);
    },
    control: async (alias, config) =>
      (await import("./control.ts")).controlFor(core, alias, config),
    verify: async (alias, config, options = {}) =>
      (await import("./control.ts")).verify(core, alias, config, options.cancelled),
    switchTo: async (alias, endpoint) =>
      (await import("./switch.ts")).switchTo(core, alias, endpoint),
    adopt: async (target, endpoint) => (await import("./switch.ts")).adopt(core, target, endpoint),
    reachable: async (config, via) => (await import("./switch.ts")).reachable(core, config, via),
    reachingLogins: async (config, id) =>
      (await import("./switch.ts")).reachingLogins(core, config, id),
    move: async (alias, to) => (await import("./move.ts")).move(core, alias, to),
    orphans: async (config, store, always) =>
      (await import("./prune.ts")).orphans(core, config, store, always),
    prune: async (store, items) => (await import("./prune.ts")).prune(core, store, items),
  };
}
