/**
 * What every HTTP client here shares: how a host becomes a URL, how a request
 * and its body are bounded in time and size, how failures read, and the typed
 * decoding of what a server answers.
 */
import { Cancelled } from "./errors.ts";
import { idUnsafe, nameUnsafeAll } from "./characters.ts";
import { formatDuration } from "./duration.ts";

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
      return new HttpFailure(`timed out after ${formatDuration(options.timeoutMs)}`, "timeout");
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

/** Text from a server, fit for a terminal: one line, no control or hidden characters, bounded. */
export function printable(text: string, max = 200): string {
  const clean = text.replace(nameUnsafeAll(), " ").replace(/\s+/g, " ").trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * Typed decoding of a JSON answer: every value a server sends is checked
 * against the shape the CLI uses and stores (strings where the config has
 * strings, bounded, without control characters) before anything trusts it. A
 * wrong shape throws `ShapeError` naming the field and what it got, never the
 * value (it may be a secret, or an escape sequence).
 */
export type Decoder<T> = (value: unknown, field: string) => T;

export class ShapeError extends Error {
  constructor(readonly field: string, problem: string) {
    super(`${field || "the body"} ${problem}`);
    this.name = "ShapeError";
  }
}

/** Runs `decoder` on a whole body. */
export function decodeBody<T>(decoder: Decoder<T>, body: unknown): T {
  return decoder(body, "");
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `a string of ${value.length} characters`;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function member(field: string, key: string | number): string {
  return typeof key === "number" ? `${field}[${key}]` : field ? `${field}.${key}` : key;
}

/**
 * A string of at most `max` characters. Control and hidden characters (`characters.ts`)
 * are refused in identifiers, tokens and addresses (`refuse`), and replaced by spaces in
 * names meant for people (`clean`).
 */
export function text(
  max: number,
  options: { controls: "refuse" | "clean"; empty?: boolean },
): Decoder<string> {
  return (value, field) => {
    if (typeof value !== "string") {
      throw new ShapeError(field, `must be a string (got ${kindOf(value)})`);
    }
    if (value.length > max) {
      throw new ShapeError(field, `must be at most ${max} characters (got ${value.length})`);
    }
    let result = value;
    if (idUnsafe().test(value)) {
      if (options.controls === "refuse") {
        throw new ShapeError(field, "must not contain control or invisible format characters");
      }
      result = printable(value, max);
    }
    if (!result && !options.empty) throw new ShapeError(field, "must not be empty");
    return result;
  };
}

/** A finite number in [min, max]; a string of digits is read as one. */
export function number(min: number, max: number): Decoder<number> {
  return (value, field) => {
    const n = typeof value === "string" && /^\d{1,12}$/.test(value) ? Number(value) : value;
    if (typeof n !== "number" || !Number.isFinite(n) || n < min || n > max) {
      throw new ShapeError(
        field,
        typeof n === "number"
          ? `must be a number from ${min} to ${max}`
          : `must be a number (got ${kindOf(value)})`,
      );
    }
    return n;
  };
}

/** `undefined` when absent or null, else `decoder`'s value. */
export function optional<T>(decoder: Decoder<T>): Decoder<T | undefined> {
  return (value, field) =>
    value === undefined || value === null ? undefined : decoder(value, field);
}

/** An object with (at least) these fields; others are ignored. */
export function object<T>(fields: { [K in keyof T]: Decoder<T[K]> }): Decoder<T> {
  return (value, field) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new ShapeError(field, `must be an object (got ${kindOf(value)})`);
    }
    const source = value as Record<string, unknown>;
    const result = {} as T;
    for (const key of Object.keys(fields) as (keyof T & string)[]) {
      const decoded = fields[key](
        Object.hasOwn(source, key) ? source[key] : undefined,
        member(field, key),
      );
      if (decoded !== undefined) result[key] = decoded;
    }
    return result;
  };
}

/**
 * An array of at most `max` items, each `item`; one that does not decode is left out and
 * handed to `skip` (one odd entry in a list must not cost the user the whole list).
 */
export function someOf<T>(
  item: Decoder<T>,
  max: number,
  skip: (problem: ShapeError) => void,
): Decoder<T[]> {
  return (value, field) => {
    if (!Array.isArray(value)) {
      throw new ShapeError(field, `must be an array (got ${kindOf(value)})`);
    }
    if (value.length > max) {
      throw new ShapeError(field, `must have at most ${max} items (got ${value.length})`);
    }
    return value.flatMap((entry, index) => {
      try {
        return [item(entry, member(field, index))];
      } catch (error) {
        if (!(error instanceof ShapeError)) throw error;
        skip(error);
        return [];
      }
    });
  };
}
