import { Cancelled } from "./errors.ts";

/**
 * What every HTTP client here shares: how a host becomes a URL, how a request
 * and its body are bounded in time and size, and how failures read.
 */

/** Far above any answer these APIs give (a few KiB); a larger one is refused, not buffered. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Why a request got no usable answer. The message names the cause, never the host. */
export class HttpFailure extends Error {
  constructor(message: string, readonly kind: "timeout" | "network" | "too-large") {
    super(message);
    this.name = "HttpFailure";
  }
}

export interface BoundedRequestOptions {
  /** Covers connecting, the headers and the whole body. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Injected by tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  maxBytes?: number;
}

/** A response whose body has been read in full (within the caps). */
export interface BoundedResponse {
  status: number;
  statusText: string;
  ok: boolean;
  headers: Headers;
  text: string;
}

/**
 * Sends a request and reads its body as text, streamed, under one timeout and a
 * size cap: past the cap the body is cancelled, so a hostile or broken server
 * can neither hang us nor fill memory. Redirects are never followed (a token is
 * never forwarded to another host). Throws only `HttpFailure`, or `Cancelled` when the
 * caller's signal (Ctrl-C) stopped it.
 */
export async function fetchBounded(
  url: URL | string,
  init: RequestInit,
  options: BoundedRequestOptions,
): Promise<BoundedResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const failure = (error: unknown): HttpFailure | Cancelled => {
    if (error instanceof HttpFailure) return error;
    if (options.signal?.aborted) return new Cancelled();
    if (timeout.aborted) {
      return new HttpFailure(`timed out after ${options.timeoutMs}ms`, "timeout");
    }
    return new HttpFailure(printable(fetchFailure(error)), "network");
  };
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { ...init, signal, redirect: "manual" });
  } catch (error) {
    throw failure(error);
  }
  try {
    const text = await readCapped(response, options.maxBytes ?? MAX_RESPONSE_BYTES, signal);
    const { status, statusText, ok, headers } = response;
    return { status, statusText, ok, headers, text };
  } catch (error) {
    throw failure(error);
  }
}

function sizeText(bytes: number): string {
  return bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

async function readCapped(response: Response, max: number, signal: AbortSignal): Promise<string> {
  const tooLarge = () => new HttpFailure(`response larger than ${sizeText(max)}`, "too-large");
  const declared = Number(response.headers.get("content-length"));
  if (declared > max) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  // A fetch that ignores the signal (a test double, a proxy) still stops on time.
  const onAbort = () => reader.cancel().catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      signal.throwIfAborted();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

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
