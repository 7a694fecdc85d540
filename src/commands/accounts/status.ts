/**
 * `ably accounts status [ALIAS] [--offline]`: what every account (or the one named)
 * holds and whether its token works. Read-only: it never refreshes a token (a
 * refresh spends the refresh token and rewrites the file), so a token past its
 * expiry is reported as expired, "refreshable" when a refresh token is there.
 * The live check is one `GET /me` per distinct token, all at once, each bounded by
 * the Control API time-out. A token the API refuses (401/403) is a problem; an
 * answer that says nothing about the token (5xx, a time-out, no network) is
 * "could not check", which is not counted against the account. It never prints a token.
 */
import type { Context } from "../../context.ts";
import type { StatusOptions } from "./specs.ts";
import { CliError } from "../../errors.ts";
import { accountsOf, credentialsOf, currentAlias } from "../../config/accounts.ts";
import { credentialsLocation } from "../../config/credential-marks.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { ControlApiError } from "../../control/api.ts";
import { controlHostFor } from "../../accounts/control.ts";
import { expiryOf, tokenState } from "../../accounts/tokens.ts";
import type { SecretStore } from "../../credentials/store.ts";
import { noAccounts, resolveOrFail } from "../shared/resolve.ts";
import { capitalised, officialCliNote, storesNamed } from "../shared/stores.ts";

const COMPONENT = "accountStatus";
const ENV_SOURCE = "ABLY_ACCESS_TOKEN";
/** Exit status when no account is known to be broken but some could not be checked. */
const COULD_NOT_CHECK_EXIT = 3;

type CheckStatus =
  | "valid"
  | "expired"
  | "expired (refreshable)"
  | "rejected"
  | "could not check"
  | "no token"
  | "not checked";

interface Check {
  status: CheckStatus;
  reason?: string;
  statusCode?: number;
}

interface Row {
  alias: string | null;
  current: boolean;
  name: string | null;
  id: string | null;
  user: string | null;
  authMethod: "oauth" | "token" | null;
  /** "file", a store's name, or ABLY_ACCESS_TOKEN. */
  tokens: string;
  accessTokenExpiresAt: string | null;
  refreshToken: boolean;
  sharedWith: string[];
  check: Check;
  /** Whether the account can be used: `null` when its check could not say. */
  usable: boolean | null;
}

interface Summary {
  total: number;
  usable: number;
  problems: number;
  /** Accounts whose check could not say (the Control API failed, not the token). */
  unchecked: number;
}

/** What the live check needs for one row, kept out of the printed record. */
interface Probe {
  row: Row;
  token?: string;
  host: string;
}

export async function run(ctx: Context, options: StatusOptions): Promise<void> {
  const { out } = ctx;
  const env = ctx.settings.accessToken;
  if (env) {
    out.warning(
      `${ENV_SOURCE} is set: every command uses it instead of the selected account's token.`,
    );
  }
  const config = await ctx.accounts.read();
  const accounts = accountsOf(config);
  if (Object.keys(accounts).length === 0 && !env) throw noAccounts(COMPONENT);
  const aliases = options.accountAliasOrId !== undefined
    ? [resolveOrFail(config, options.accountAliasOrId)]
    : Object.keys(accounts);
  if (aliases.length) await ctx.accounts.loadSecrets(config, aliases);
  const probes = aliases.map((alias) => probeOf(ctx, config, alias));
  if (env && options.accountAliasOrId === undefined) probes.unshift(envProbe(ctx, env));
  if (!options.offline) await checkAll(ctx, probes);
  const rows = probes.map((probe) => probe.row);
  const summary = summaryOf(rows);
  // A report with problems, or with accounts it could not check, is not a success.
  out.result({ success: summary.problems + summary.unchecked === 0, accounts: rows, summary });
  const stored = rows.filter((row) => row.alias !== null).map((row) => row.tokens);
  if (!out.json) printRows(ctx, rows, summary, await storesNamed(ctx, stored));
  if (summary.problems > 0) {
    throw new CliError(
      `${summary.problems} of ${summary.total} account${
        summary.total === 1 ? "" : "s"
      } cannot be used; see above.`,
      { component: COMPONENT, context: { summary } },
    );
  }
  if (summary.unchecked > 0) {
    throw new CliError(
      `${summary.unchecked} of ${summary.total} account${
        summary.total === 1 ? "" : "s"
      } could not be checked: the Control API failed, not the token${
        summary.unchecked === 1 ? "" : "s"
      }; try again later.`,
      { component: COMPONENT, context: { summary }, exitCode: COULD_NOT_CHECK_EXIT },
    );
  }
}

function summaryOf(rows: Row[]): Summary {
  const usable = rows.filter((row) => row.usable === true).length;
  const unchecked = rows.filter((row) => row.usable === null).length;
  return { total: rows.length, usable, problems: rows.length - usable - unchecked, unchecked };
}

/** ABLY_ACCESS_TOKEN's own row: it stands in for every account. */
function envProbe(ctx: Context, token: string): Probe {
  return {
    row: {
      alias: null,
      current: false,
      name: null,
      id: null,
      user: null,
      authMethod: null,
      tokens: ENV_SOURCE,
      accessTokenExpiresAt: null,
      refreshToken: false,
      sharedWith: [],
      check: { status: "not checked" },
      usable: true,
    },
    token,
    host: controlHostFor(ctx.settings, undefined, true),
  };
}

function probeOf(ctx: Context, config: AblyConfig, alias: string): Probe {
  const account = accountsOf(config)[alias];
  const credentials = credentialsOf(config, alias);
  const row: Row = {
    alias,
    current: alias === currentAlias(config),
    name: account.accountName ?? null,
    id: account.accountId ?? null,
    user: account.userEmail ?? null,
    authMethod: account.authMethod === "oauth" ? "oauth" : "token",
    tokens: credentialsLocation(config, alias),
    accessTokenExpiresAt: null,
    refreshToken: false,
    sharedWith: [],
    check: { status: "not checked" },
    usable: false,
  };
  // Each account's own token: its own host (ABLY_ACCESS_TOKEN has a row of its own).
  const host = controlHostFor(ctx.settings, account, false);
  if (credentials.kind === "legacy") {
    const token = account.accessToken;
    row.check = token ? { status: "not checked" } : { status: "no token" };
    row.usable = Boolean(token);
    return { row, token: token || undefined, host };
  }
  if (credentials.kind === "no-session") {
    row.check = { status: "no token", reason: "no OAuth session; log in again" };
    return { row, host };
  }
  const { session, sharedWith } = credentials;
  const expiresAt = expiryOf(session);
  row.accessTokenExpiresAt = expiresAt === undefined ? null : new Date(expiresAt).toISOString();
  row.refreshToken = typeof session.refreshToken === "string" && session.refreshToken !== "";
  row.sharedWith = sharedWith;
  const token = typeof session.accessToken === "string" && session.accessToken !== ""
    ? session.accessToken
    : undefined;
  if (!token) {
    row.check = { status: "no token" };
    return { row, host };
  }
  if (tokenState(expiresAt, ctx.now()) === "expired") {
    // Not sent: an expired token says nothing the expiry does not. Commands would refresh it.
    row.check = { status: row.refreshToken ? "expired (refreshable)" : "expired" };
    row.usable = row.refreshToken;
    return { row, host };
  }
  row.usable = true;
  return { row, token, host };
}

/**
 * One request per distinct token and host, all at once, each with the Control API
 * time-out (they start together, so they also end together).
 */
async function checkAll(ctx: Context, probes: Probe[]): Promise<void> {
  const pending = probes.filter((probe) => probe.token && probe.row.check.status === "not checked");
  if (pending.length === 0) return;
  const asked = new Map<string, Promise<Check>>();
  const ask = (probe: Probe): Promise<Check> => {
    const key = `${probe.host}\n${probe.token}`;
    let answer = asked.get(key);
    if (!answer) {
      answer = checkToken(ctx, probe.host, probe.token!);
      asked.set(key, answer);
    }
    return answer;
  };
  const spinner = ctx.out.spinner(
    `Checking ${pending.length} token${pending.length === 1 ? "" : "s"} with the Control API`,
  );
  try {
    const checks = await Promise.all(pending.map(ask));
    pending.forEach((probe, i) => {
      probe.row.check = checks[i];
      probe.row.usable = checks[i].status === "valid"
        ? true
        : checks[i].status === "could not check"
        ? null
        : false;
    });
  } finally {
    spinner.stop();
  }
}

/** `GET /me` with the token: valid, rejected (the token's fault), or could not check. */
async function checkToken(ctx: Context, host: string, token: string): Promise<Check> {
  const client = await ctx.accounts.controlAt(host, token, ctx.settings.controlTimeoutMs);
  try {
    await client.me();
    return { status: "valid" };
  } catch (error) {
    if (!(error instanceof ControlApiError)) throw error;
    const { statusCode } = error;
    if (statusCode === 401 || statusCode === 403) {
      return { status: "rejected", reason: error.message, statusCode };
    }
    return {
      status: "could not check",
      reason: statusCode === undefined
        ? error.message
        : `the Control API at ${host}: ${error.message}`,
      ...(statusCode !== undefined ? { statusCode } : {}),
    };
  }
}

function printRows(
  ctx: Context,
  rows: Row[],
  summary: Summary,
  stores: Map<string, SecretStore>,
): void {
  const { out } = ctx;
  const { style } = out;
  for (const row of rows) {
    const title = row.alias === null
      ? `Token from ${ENV_SOURCE}`
      : `Account: ${row.alias}${row.current ? " (current)" : ""}`;
    out.print(
      row.current
        ? `${style.green("▶")} ${style.green(style.bold(title))}`
        : `  ${style.bold(title)}`,
    );
    for (const [name, value] of fields(ctx, row, stores)) {
      // A value that wraps continues under itself, never flush with the labels.
      out.print(`  ${style.dim(`${name}:`)} ${value}`, { hang: name.length + 4 });
    }
    out.print();
  }
  const unchecked = summary.unchecked ? `, ${summary.unchecked} could not be checked` : "";
  out.print(
    `${summary.total} account${
      summary.total === 1 ? "" : "s"
    }: ${summary.usable} usable, ${summary.problems} with problems${unchecked}.`,
  );
  for (const store of stores.values()) {
    out.note(`${capitalised(officialCliNote(store))}.`);
  }
}

/** A row's labelled lines, the check last. */
function fields(ctx: Context, row: Row, stores: Map<string, SecretStore>): [string, string][] {
  const { style } = ctx.out;
  const lines: [string, string][] = [];
  if (row.alias !== null) {
    if (row.name !== null || row.id !== null) {
      lines.push(["Name", `${row.name ?? "(no name)"}${row.id ? ` (${row.id})` : ""}`]);
    }
    if (row.user !== null) lines.push(["User", row.user]);
    lines.push([
      "Auth",
      row.authMethod === "oauth" ? "OAuth" : "access token (does not refresh)",
    ]);
    lines.push(["Tokens in", stores.get(row.tokens)?.title ?? "config file"]);
    if (row.authMethod === "oauth") {
      lines.push(["Access token expires", expiry(ctx, row.accessTokenExpiresAt)]);
      lines.push(["Refresh token", row.refreshToken ? "yes" : "no"]);
    }
    if (row.sharedWith.length) lines.push(["Shares its session with", row.sharedWith.join(", ")]);
  }
  const { check } = row;
  const text = `${check.status}${check.reason ? ` (${check.reason})` : ""}`;
  const shown = check.status === "not checked" ? `${text} (--offline)` : text;
  const paint = row.usable === true ? style.green : row.usable === null ? style.yellow : style.red;
  lines.push(["Check", paint(shown)]);
  return lines;
}

function expiry(ctx: Context, iso: string | null): string {
  if (iso === null) return "never recorded";
  const delta = Date.parse(iso) - ctx.now();
  return `${delta >= 0 ? `in ${span(delta)}` : `${span(-delta)} ago`} (${iso})`;
}

function span(ms: number): string {
  const units: [string, number][] = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
    ["second", 1000],
  ];
  for (const [name, size] of units) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? "" : "s"}`;
  }
  return "0 seconds";
}
