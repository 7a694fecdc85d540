/** Where the Ably authorization server lives, how to reach it, and how long to wait. */
import { hostUrl } from "../http.ts";

export const DEFAULT_OAUTH_HOST = "ably.com";
/**
 * Each request to the authorization server, whatever it is (device code, poll, refresh,
 * revocation), unless ABLY_OAUTH_TIMEOUT_MS says otherwise: a logout's revocations, the
 * slowest path people wait on, then take 5 s at most, as the official CLI's do.
 */
export const DEFAULT_OAUTH_TIMEOUT_MS = 5_000;
/** The official CLI's public OAuth client (no secret): tokens it minted are revoked with it. */
export const OAUTH_CLIENT_ID = "gb-I8-bZRnXs-gF83jOWKQrUxPPWp_ldTfQtgGP0EFg";

/** The authorization server's base URL (HTTPS; HTTP on loopback only). */
export function oauthBaseUrl(host: string): URL {
  return hostUrl(host, "OAuth host");
}
