/**
 * `ably accounts token [ALIAS]`: the access token of the current (or named) account
 * and a newline, nothing else on stdout, for `curl -H "Authorization: Bearer $(ably
 * accounts token)"`. A token about to expire is refreshed first at its issuer, under
 * the lock (by the accounts service, whose refresh is loaded only then, so the usual
 * path is as light as `accounts list`). Printing the token is this command's whole purpose: it is the
 * one place that asks the reporter to leave a secret unredacted.
 */
import type { Context } from "../../context.ts";
import type { TokenOptions } from "./specs.ts";
import { accountsOf } from "../../config/accounts.ts";
import { credentialsLocation } from "../../config/credential-marks.ts";
import { currentOrFail, noAccounts, resolveOrFail } from "../shared/resolve.ts";

const COMPONENT = "accountToken";

export async function run(ctx: Context, options: TokenOptions): Promise<void> {
  const { out } = ctx;
  const env = ctx.settings.accessToken;
  // With no alias, the token printed is the one every other command would send, and with
  // ABLY_ACCESS_TOKEN set that is the variable's (it overrides the current account), so
  // printing the stored one would mislead. Naming an alias asks for that account's own
  // stored token, which is then what is printed.
  if (options.accountAliasOrId === undefined && env) {
    out.note("The token comes from ABLY_ACCESS_TOKEN, which overrides the current account.");
    out.revealed([env], [env], {
      token: { alias: null, source: "ABLY_ACCESS_TOKEN", accessToken: env, expiresAt: null },
    });
    return;
  }
  const config = await ctx.accounts.read();
  if (Object.keys(accountsOf(config)).length === 0) throw noAccounts(COMPONENT);
  const alias = options.accountAliasOrId !== undefined
    ? resolveOrFail(config, options.accountAliasOrId)
    : currentOrFail(config, COMPONENT);
  const token = await ctx.accounts.token(alias, config);
  out.revealed([token.accessToken], [token.accessToken], {
    token: {
      alias,
      source: credentialsLocation(config, alias),
      accessToken: token.accessToken,
      expiresAt: token.expiresAt === undefined ? null : new Date(token.expiresAt).toISOString(),
    },
  });
}
