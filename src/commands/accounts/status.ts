/**
 * `ably accounts status [ALIAS] [--offline]`: what every account (or the one named)
 * holds and whether its token works. Read-only: it never refreshes a token (a
 * refresh spends the refresh token and rewrites the file), so a token past its
 * expiry is reported as expired, "refreshable" when a refresh token is there.
 * The live check is one `GET /me` per distinct token, all at once, bounded as a
 * whole by the Control API time-out. It never prints a token.
 */
import type { Context } from "../../context.ts";
import type { StatusOptions } from "./specs.ts";
import { CliError } from "../../errors.ts";
import { accountsOf, credentialsOf, currentAlias } from "../../config/accounts.ts";
import { credentialsLocation, FILE } from "../../config/credential-marks.ts";
import type { AblyConfig } from "../../config/schema.ts";
import { ControlApiError } from "../../control/api.ts";
import { controlHostFor } from "../../accounts/control.ts";
import { expiryOf, tokenState } from "../../accounts/tokens.ts";
import { noAccounts, resolveOrFail } from "../shared/resolve.ts";

const COMPONENT = "accountStatus";
const ENV_SOURCE = "ABLY_ACCESS_TOKEN";

type CheckStatus =
  | "valid"
  | "expired"
  | "expired (refreshable)"
  | "rejected"
  | "unreachable"
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
  usable: boolean;
}

/** What the live check needs for one row, kept out of the printed record. */
interface Probe {
  row: Row;
  token?: string;
  host: string;
  expiresAt?: number;
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
  if (env && options.accountAliasOrId === undefined) {
    probes.unshift({
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
      token: env,
      host: controlHostFor(ctx.settings, undefined, true),
    });
  }

  if (!options.offline) await checkAll(ctx, probes);
  const rows = probes.map((probe) => probe.row);
  const usable = rows.filter((row) => row.usable).length;
  const summary = { total: rows.length, usable, problems: rows.length - usable };
  // A report with problems is not a success, in the record as in the exit code.
  out.result({ success: summary.problems === 0, accounts: rows, summary });
  if (!out.json) printRows(ctx, rows, summary, await storeTitles(ctx, rows));
  if (summary.problems > 0) {
    throw new CliError(
      `${summary.problems} of ${summary.total} account${
        summary.total === 1 ? "" : "s"
      } cannot be used; see above.`,
      { component: COMPONENT, context: { summary } },
    );
  }
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
    return { row, host, expiresAt };
  }
  row.usable = true;
  return { row, token, host, expiresAt };
}

/** One request per distinct token and host, all at once; each bounded by the same deadline. */
async function checkAll(ctx: Context, probes: Probe[]): Promise<void> {
  const pending = probes.filter((probe) => probe.token && probe.row.check.status === "not checked");
  if (pending.length === 0) return;
  const deadline = ctx.now() + ctx.settings.controlTimeoutMs;
  const asked = new Map<string, Promise<Check>>();
  const ask = (probe: Probe): Promise<Check> => {
    const key = `${probe.host}\n${probe.token}`;
    let answer = asked.get(key);
    if (!answer) {
      answer = ctx.accounts.controlAt(probe.host, probe.token!, Math.max(1, deadline - ctx.now()))
        .then((client) => client.me()).then(
          (): Check => ({ status: "valid" }),
          (error): Check => {
            if (!(error instanceof ControlApiError)) throw error;
            const reason = error.message;
            if (error.statusCode === 401 || error.statusCode === 403) {
              return { status: "rejected", reason, statusCode: error.statusCode };
            }
            return {
              status: "unreachable",
              reason,
              ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
            };
          },
        );
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
      probe.row.usable = checks[i].status === "valid";
    });
  } finally {
    spinner.stop();
  }
}

/** How the rows' stores are named in the listing (their titles). */
async function storeTitles(ctx: Context, rows: Row[]): Promise<Map<string, string>> {
  const names = new Set(rows.map((row) => row.tokens));
  names.delete(FILE);
  names.delete(ENV_SOURCE);
  const titles = new Map<string, string>();
  for (const name of names) titles.set(name, (await ctx.accounts.store(name)).title);
  return titles;
}

function printRows(
  ctx: Context,
  rows: Row[],
  summary: { total: number; usable: number; problems: number },
  titles: Map<string, string>,
): void {
  const { out } = ctx;
  const { style } = out;
  const label = (text: string) => style.dim(`${text}:`);
  for (const row of rows) {
    const title = row.alias === null
      ? `Token from ${ENV_SOURCE}`
      : `Account: ${row.alias}${row.current ? " (current)" : ""}`;
    out.print(
      row.current
        ? `${style.green("▶")} ${style.green(style.bold(title))}`
        : `  ${style.bold(title)}`,
    );
    if (row.alias !== null) {
      if (row.name !== null || row.id !== null) {
        out.print(`  ${label("Name")} ${row.name ?? "(no name)"}${row.id ? ` (${row.id})` : ""}`);
      }
      if (row.user !== null) out.print(`  ${label("User")} ${row.user}`);
      out.print(
        `  ${label("Auth")} ${row.authMethod === "oauth" ? "OAuth" : "access token (legacy)"}`,
      );
      out.print(`  ${label("Tokens in")} ${titles.get(row.tokens) ?? "config file"}`);
      if (row.authMethod === "oauth") {
        out.print(`  ${label("Access token expires")} ${expiry(ctx, row.accessTokenExpiresAt)}`);
        out.print(`  ${label("Refresh token")} ${row.refreshToken ? "yes" : "no"}`);
      }
      if (row.sharedWith.length) {
        out.print(`  ${label("Shares its session with")} ${row.sharedWith.join(", ")}`);
      }
    }
    const { check } = row;
    const text = `${check.status}${check.reason ? ` (${check.reason})` : ""}`;
    const shownCheck = check.status === "not checked" ? `${text} (--offline)` : text;
    out.print(
      `  ${label("Check")} ${row.usable ? style.green(shownCheck) : style.red(shownCheck)}`,
    );
    out.print();
  }
  out.print(
    `${summary.total} account${
      summary.total === 1 ? "" : "s"
    }: ${summary.usable} usable, ${summary.problems} with problems.`,
  );
}

function expiry(ctx: Context, iso: string | null): string {
  if (iso === null) return "never recorded";
  const delta = Date.parse(iso) - ctx.now();
  return `${delta >= 0 ? `in ${span(delta)}` : `${span(-delta)} ago`} (${iso})`;
}

function span(ms: number): string {
  const units: [string, number][] = [["day", 86_400_000], ["hour", 3_600_000], [
    "minute",
    60_000,
  ], ["second", 1000]];
  for (const [name, size] of units) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? "" : "s"}`;
  }
  return "0 seconds";
}
