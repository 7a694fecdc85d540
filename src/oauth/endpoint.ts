import { hostUrl } from "../http.ts";

/** Where the Ably authorization server lives, and how to reach it. */

export const DEFAULT_OAUTH_HOST = "ably.com";
/** The official CLI's public OAuth client (no secret): tokens it minted are revoked with it. */
export const OAUTH_CLIENT_ID = "gb-I8-bZRnXs-gF83jOWKQrUxPPWp_ldTfQtgGP0EFg";

/** The authorization server's base URL (HTTPS; HTTP on loopback only). */
export function oauthBaseUrl(host: string): URL {
  return hostUrl(host, "OAuth host");
}
