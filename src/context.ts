/**
 * What a command may touch. `Host` is the world outside the process's logic
 * (environment, streams, terminals, network, clock, Ctrl-C); `Context` is what
 * every command's `run(ctx, options)` receives, built once from the host and
 * the validated settings before any command body runs.
 */
import type { ConfigLocation } from "./config/location.ts";
import type { AblyConfig } from "./config/schema.ts";
import type { PlanFn, RemovedSession, Snapshot } from "./config/store.ts";
import type { Attempts } from "./credentials/revocation.ts";
import type { CredentialStore, KeychainCheck } from "./credentials/keychain.ts";
import type { Reporter } from "./output/reporter.ts";
import type { Prompter } from "./prompt/prompter.ts";

export type Env = (name: string) => string | undefined;

export interface Host {
  env: Env;
  /** One line of output on stdout / stderr. */
  stdout(line: string): void;
  stderr(line: string): void;
  /** Raw text on stderr, for spinners. */
  stderrRaw(text: string): void;
  terminal: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** Terminal width (80 when unknown). */
  columns(): number;
  prompter: Prompter;
  fetch: typeof fetch;
  now(): number;
  /** Aborted by the process's single Ctrl-C handler. */
  signal: AbortSignal;
  /** Opens a web address in the user's browser; false when no opener could be started. */
  openBrowser(url: string): Promise<boolean>;
  /**
   * Clean-up that must get its (bounded) chance: while `work` runs, a further Ctrl-C
   * says `what` instead of ending the process.
   */
  shield<T>(what: string, work: Promise<T>): Promise<T>;
  /**
   * Opens the OS credential store. Called (and its native module loaded) only when an
   * account keeps its secrets there or a login asks for it; absent: no keychain.
   */
  keychain?: () => Promise<CredentialStore>;
}

/** Environment settings and host overrides, parsed and validated before anything runs. */
export interface Settings {
  config: ConfigLocation;
  /** `--oauth-host` / ABLY_OAUTH_HOST: where new logins go, and the issuer of last resort. */
  oauthHost?: string;
  /** `--control-host` / ABLY_CONTROL_HOST. */
  controlHost?: string;
  /** ABLY_ACCESS_TOKEN. */
  accessToken?: string;
  oauthTimeoutMs: number;
  controlTimeoutMs: number;
  lockTimeoutMs: number;
  /** A desktop to open a browser on. */
  display: boolean;
  /** ABLY_CLI_CREDENTIAL_STORE: where new logins keep their tokens (default: the file). */
  credentialStore: "file" | "keychain";
  /** Where `completions install` puts things: $SHELL, the home directory, XDG and zsh dirs. */
  shell: ShellPlaces;
}

export interface ShellPlaces {
  shell?: string;
  home?: string;
  xdgDataHome?: string;
  xdgConfigHome?: string;
  zdotdir?: string;
}

/**
 * The config file as this run may use it: the settings' location, lock timeout and
 * Ctrl-C applied, exposure warnings shown once, and every secret read kept out of
 * the output.
 */
export interface ConfigStore {
  /** The parsed config, or `undefined` when there is no file yet. */
  read(): Promise<AblyConfig | undefined>;
  /** The parsed config and its exact text; `reveal` leaves its secrets printable. */
  snapshot(options?: { reveal?: boolean }): Promise<Snapshot | undefined>;
  /**
   * A locked read-plan-write: `plan` edits the config it is handed (the file as it is
   * now) and says what to report. The OAuth tokens the change removes are revoked at
   * their issuer before the new file replaces the old (`attempts` says what happened);
   * keychain items are written before and deleted after, as the store orders them.
   */
  update<T>(
    plan: PlanFn<T>,
    options?: UpdateOptions,
  ): Promise<Updated<T>>;
  /**
   * Fails with a clear error when an update could not be saved (a read-only or
   * malformed file, a directory that cannot be created): for a login, before the
   * user authorizes anything. Returns the config as read.
   */
  preflight(): Promise<AblyConfig | undefined>;
  /** Fills in the secrets `read`/`snapshot` left in the OS keychain, for the accounts named (all when none are). */
  loadSecrets(
    config: AblyConfig,
    aliases?: string[],
    options?: { reveal?: boolean },
  ): Promise<void>;
  /**
   * Fails with a clear error, before anything is asked or issued, when the keychain cannot
   * be used; `why` shapes the message (whose tokens, and whether "without --keychain" helps).
   */
  checkKeychain(why?: KeychainCheck): Promise<void>;
  /**
   * This CLI's keychain items directly (opens the keychain): to find and remove items no
   * account refers to. Failures are errors naming the fix.
   */
  keychainItems(): Promise<KeychainItems>;
}

export interface KeychainItems {
  /** Item names, sorted; `undefined` where the keychain cannot enumerate. */
  list(): Promise<string[] | undefined>;
  /** The items `config` refers to. */
  inUse(config: AblyConfig): Set<string>;
  secret(item: string): Promise<string | undefined>;
  remove(item: string): Promise<boolean>;
}

export interface UpdateOptions {
  /** Ctrl-C stops the wait for the lock (nothing has changed then); a login's write is never cancellable. */
  cancellable?: boolean;
  basis?: Snapshot;
  /** The accounts whose secrets the plan reads: filled in from the OS keychain first. */
  reads?: readonly string[] | "all";
  /** The plan spends something (a refresh): a file the update may not replace is refused first. */
  spends?: boolean;
  /** Sessions whose keychain tokens cannot be read are removed anyway, unrevoked. */
  removeUnreadable?: boolean;
  /** Accounts whose keychain tokens cannot be read are handed to the plan, to keep, not a failure. */
  keepUnreadable?: boolean;
  /** Whose tokens, in revocation warnings (default: ` of <aliases>` when several go). */
  revokedAs?: string;
}

export interface Updated<T> {
  value: T;
  /** Whether the file was replaced. */
  saved: boolean;
  /** The OAuth tokens the change took out of the config. */
  removed: RemovedSession[];
  /** What the issuer answered for each removed session's tokens. */
  attempts: Attempts;
}

export interface Context {
  settings: Settings;
  store: ConfigStore;
  out: Reporter;
  prompter: Prompter;
  /** Questions may be asked: a terminal to ask on, and not JSON mode. Decided here only. */
  interactive: boolean;
  fetch: typeof fetch;
  now(): number;
  signal: AbortSignal;
  openBrowser(url: string): Promise<boolean>;
  shield<T>(what: string, work: Promise<T>): Promise<T>;
}
