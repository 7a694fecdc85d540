/** Where the Ably authorization server lives, and how to reach it. */

export const DEFAULT_OAUTH_HOST = "ably.com";
/** The official CLI's public OAuth client (no secret): tokens it minted are revoked with it. */
export const OAUTH_CLIENT_ID = "gb-I8-bZRnXs-gF83jOWKQrUxPPWp_ldTfQtgGP0EFg";

/**
 * The base URL for a host such as `ably.com` or `127.0.0.1:8080`. Plain HTTP is
 * used only for loopback hosts (localhost, 127.0.0.0/8, [::1]); everything else
 * gets HTTPS, whatever the host's name contains.
 */
export function oauthBaseUrl(host: string): URL {
  // A host is a name or address with an optional port: no scheme, path or credentials.
  if (!/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) {
    throw new Error(`invalid OAuth host "${host}"`);
  }
  const url = new URL(`https://${host}`);
  if (isLoopback(url.hostname)) url.protocol = "http:";
  return url;
}

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
