/**
 * A stand-in for the official CLI's token refresh (its reference behaviour, 3.1 and 4.3): the
 * config is read once at start and kept in memory; the current account's refresh token is
 * sent; on success the whole in-memory config is written back in place, with no lock, no temp
 * file and no rename; on `invalid_grant` the file is read again and the session cleared only if
 * the refresh token on disk is still the one it used. Prints "refreshed" or "expired" and exits
 * 0 or 1. Args: the config file, the issuer's host.
 */
import { parse, stringify } from "smol-toml";
import { OAUTH_CLIENT_ID } from "../../src/oauth/endpoint.ts";

type Table = Record<string, Record<string, unknown>>;
const [file, host] = Deno.args;
const config = parse(Deno.readTextFileSync(file)) as {
  current: { account: string };
  accounts: Table;
  oauthSessions: Table;
};
const alias = config.current.account;
const key = config.accounts[alias].oauthSessionKey as string;
const used = config.oauthSessions[key].refreshToken as string;

const response = await fetch(`http://${host}/oauth/token`, {
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({
    client_id: OAUTH_CLIENT_ID,
    grant_type: "refresh_token",
    refresh_token: used,
  }),
});
const body = await response.json();
if (response.ok) {
  config.oauthSessions[key] = {
    ...config.oauthSessions[key],
    accessToken: body.access_token,
    accessTokenExpiresAt: Date.now() + body.expires_in * 1000,
    refreshToken: body.refresh_token,
  };
  Deno.writeTextFileSync(file, stringify(config));
  console.log("refreshed");
  Deno.exit(0);
}
const now = parse(Deno.readTextFileSync(file)) as typeof config;
const onDisk = now.oauthSessions?.[key];
if (!onDisk || onDisk.refreshToken === used) {
  delete now.oauthSessions?.[key];
  delete now.accounts[alias].oauthSessionKey;
  Deno.writeTextFileSync(file, stringify(now));
}
console.log("expired");
Deno.exit(1);
