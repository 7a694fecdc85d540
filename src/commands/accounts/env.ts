/**
 * `ably accounts env [ALIAS] [--app APP_ID] [--format …]`: the account's access token and
 * an app's API key as the variables the official CLI and scripts read (ABLY_ACCESS_TOKEN,
 * ABLY_API_KEY), wherever they are stored, for `eval "$(ably accounts env)"`. The bridge to
 * tools that cannot read a secret store. The token is refreshed first when it expires within
 * a minute, as `accounts token` does. It prints; it never runs anything.
 */
import type { Context } from "../../context.ts";
import type { AblyConfig } from "../../config/schema.ts";
import type { EnvOptions } from "./specs.ts";
import { accountsOf, appOf, currentAppIdOf } from "../../config/accounts.ts";
import { CliError, shown } from "../../errors.ts";
import { tokenProblem } from "../../input.ts";
import { dotenvProblem, envLines, type EnvVariable } from "../../output/env-lines.ts";
import { currentOrFail, noAccounts, resolveOrFail } from "../shared/resolve.ts";

const COMPONENT = "accountEnv";

export async function run(ctx: Context, options: EnvOptions): Promise<void> {
  const { out } = ctx;
  // bash and zsh take the POSIX form.
  const format = options.format === "bash" || options.format === "zsh"
    ? "sh"
    : options.format ?? "sh";
  const config = await ctx.accounts.read();
  if (Object.keys(accountsOf(config)).length === 0) throw noAccounts(COMPONENT);
  const alias = options.accountAliasOrId !== undefined
    ? resolveOrFail(config, options.accountAliasOrId)
    : currentOrFail(config, COMPONENT);
  // Everything is checked before a refresh could spend the refresh token.
  const appId = options.app ?? currentAppIdOf(config, alias);
  await ctx.accounts.loadSecrets(config, [alias]);
  const apiKey = keyOf(config, alias, appId, options.app !== undefined);
  checked(`the API key of app ${appId}`, apiKey, format);
  const token = await ctx.accounts.token(alias, config);
  checked(`the access token of account "${alias}"`, token.accessToken, format);

  if (apiKey === undefined) {
    out.note(
      `Account "${alias}" has no API key stored${
        appId ? ` for app ${shown(appId)}` : " (no current app)"
      }: ABLY_API_KEY is ${format === "dotenv" ? "left out" : "unset"}.`,
    );
  }
  const given = ctx.settings.accessToken;
  if (given && given !== token.accessToken && format !== "json" && format !== "dotenv") {
    out.note(`These lines replace the ABLY_ACCESS_TOKEN set now with account "${alias}"'s token.`);
  }
  const variables: EnvVariable[] = [
    ["ABLY_ACCESS_TOKEN", token.accessToken],
    ["ABLY_API_KEY", apiKey],
  ];
  out.revealed(
    variables.flatMap(([, value]) => value ?? []),
    envLines(format, variables),
    {
      account: { alias, app: appId ?? null },
      env: Object.fromEntries(variables.map(([name, value]) => [name, value ?? null])),
      expiresAt: token.expiresAt === undefined ? null : new Date(token.expiresAt).toISOString(),
    },
  );
}

/** The app's stored API key; an app named with --app must exist and have one. */
function keyOf(
  config: AblyConfig,
  alias: string,
  appId: string | undefined,
  named: boolean,
): string | undefined {
  if (appId === undefined) return undefined;
  const account = accountsOf(config)[alias];
  const app = appOf(account, appId);
  const key = typeof app?.apiKey === "string" && app.apiKey !== "" ? app.apiKey : undefined;
  if (key !== undefined || !named) return key;
  const stored = Object.keys(account.apps ?? {}).filter((id) => appOf(account, id)?.apiKey);
  throw new CliError(
    `Account "${alias}" has no API key stored for app ${shown(appId)}${
      stored.length ? `; it has one for ${stored.map((id) => shown(id)).join(", ")}` : ""
    }. A login stores the key of the app it selects.`,
    { component: COMPONENT },
  );
}

/** Fails when a stored value could not be printed as a variable that reads back the same. */
function checked(what: string, value: string | undefined, format: string): void {
  if (value === undefined) return;
  const problem = tokenProblem(value) ?? (format === "dotenv" ? dotenvProblem(value) : undefined);
  if (problem === undefined) return;
  throw new CliError(
    `Cannot print ${shown(what)}: the stored value ${problem}.${
      format === "dotenv" ? " Use --format json, or a shell's format." : " Log in again."
    }`,
    { component: COMPONENT },
  );
}
