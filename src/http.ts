/** What every HTTP client here shares: how a host becomes a URL, and how failures read. */

/**
 * The base URL for a host such as `ably.com` or `127.0.0.1:8080`: HTTPS, or
 * plain HTTP for loopback hosts only (localhost, 127.0.0.0/8, [::1]), whatever
 * a host's name contains. A host is a name or address with an optional port:
 * no scheme, path or credentials.
 */
export function hostUrl(host: string, what = "host"): URL {
  if (!/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) {
    throw new Error(`invalid ${what} "${host}"`);
  }
  const url = new URL(`https://${host}`);
  if (isLoopback(url.hostname)) url.protocol = "http:";
  return url;
}

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Deno's fetch says only "fetch failed"; the cause says why (DNS, refused, TLS...). */
export function fetchFailure(error: unknown): string {
  const { message, cause } = error as Error;
  return cause instanceof Error && cause.message ? cause.message : message;
}

/** Text from a server, fit for a terminal: one line, no control characters, bounded. */
export function printable(text: string, max = 200): string {
  // deno-lint-ignore no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").replace(/\s+/g, " ").trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
