/**
 * RFC 8628 device authorization and RFC 6749 refresh against the Ably
 * authorization server. Knows HTTP, nothing of the config.
 */
import {
  type BoundedResponse,
  decodeBody,
  type Decoder,
  fetchBounded,
  HttpFailure,
  number,
  object,
  optional,
  printable,
  ShapeError,
  text,
} from "../http.ts";
import { redact } from "../redact.ts";
import { Cancelled } from "../errors.ts";
import { DEFAULT_OAUTH_TIMEOUT_MS, OAUTH_CLIENT_ID, oauthBaseUrl } from "./endpoint.ts";

export const SCOPE = "full_access";
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export class OAuthError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = "OAuthError";
  }
}

export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresIn: number;
  interval: number;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  scope?: string;
}

/*
 * One decoder per endpoint. Tokens are stored and sent back in headers: bounded, no control
 * characters. Lifetimes are bounded so an expiry time is always a finite, storable number.
 */
const token = text(8192, { controls: "refuse" });
const DEVICE_CODE = object({
  device_code: token,
  // Shown, never stored: cleaned like other server text (a URL is opened only if https).
  user_code: text(64, { controls: "clean" }),
  verification_uri: text(2048, { controls: "clean" }),
  verification_uri_complete: optional(text(2048, { controls: "clean" })),
  expires_in: optional(number(1, 86_400)),
  interval: optional(number(0.001, 600)),
});
const TOKENS = object({
  access_token: token,
  refresh_token: optional(token),
  expires_in: optional(number(1, 10 * 365 * 86_400)),
  scope: optional(text(1024, { controls: "refuse", empty: true })),
});

/** `body` decoded, or an error naming the server, the request and the field. */
function decoded<T>(decoder: Decoder<T>, body: unknown, host: string, path: string): T {
  try {
    return decodeBody(decoder, body);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new OAuthError(
      `Unexpected answer from the authorization server at ${host}: POST ${path}: ${error.message}`,
    );
  }
}

export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Injected by tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export async function requestDeviceCode(
  host: string,
  options: RequestOptions = {},
): Promise<DeviceCode> {
  const what = "Device code request failed";
  const response = await post(host, "/oauth/authorize_device", {
    client_id: OAUTH_CLIENT_ID,
    scope: SCOPE,
  }, options).catch((error) => {
    if (error instanceof Cancelled) throw error;
    throw new OAuthError(`${what}: ${unreachable(host, error)}`);
  });
  const text = response.text;
  if (!response.ok) {
    throw new OAuthError(`${what} (${response.status}): ${printable(redact(text))}`);
  }
  const body = parseJson(text);
  if (body === undefined) throw new OAuthError(`${what}: ${notJson(host, response)}`);
  const code = decoded(DEVICE_CODE, body, host, "/oauth/authorize_device");
  return {
    deviceCode: code.device_code,
    userCode: code.user_code,
    verificationUri: code.verification_uri,
    verificationUriComplete: code.verification_uri_complete ?? code.verification_uri,
    expiresIn: code.expires_in ?? 300,
    interval: code.interval ?? 5,
  };
}

export interface PollOptions extends RequestOptions {
  /** Injected for tests; defaults to an abortable timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** Polls the token endpoint until the user approves, denies, or the code expires. */
export async function pollForTokens(
  host: string,
  code: DeviceCode,
  options: PollOptions = {},
): Promise<TokenSet> {
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const deadline = now() + code.expiresIn * 1000;
  let intervalMs = code.interval * 1000;
  let networkFailures = 0;
  while (true) {
    if (options.signal?.aborted) throw new Cancelled();
    await sleep(intervalMs * (0.9 + Math.random() * 0.2), options.signal);
    if (now() >= deadline) throw new OAuthError("Device code expired", "expired_token");
    let response: BoundedResponse;
    try {
      response = await post(host, "/oauth/token", {
        client_id: OAUTH_CLIENT_ID,
        device_code: code.deviceCode,
        grant_type: DEVICE_GRANT,
      }, options);
    } catch (error) {
      if (error instanceof Cancelled) throw error;
      if (error instanceof HttpFailure && error.kind === "too-large") {
        throw new OAuthError(`Token polling failed: ${unreachable(host, error)}`);
      }
      if (++networkFailures >= 3) {
        throw new OAuthError(
          `Network error: failed to reach token endpoint at ${host} after multiple retries (${
            redact(causeOf(error), [code.deviceCode])
          })`,
        );
      }
      continue;
    }
    networkFailures = 0;
    const text = response.text;
    if (response.ok) {
      const body = parseJson(text);
      if (body === undefined) {
        throw new OAuthError(`Token polling failed: ${notJson(host, response)}`);
      }
      return tokenSet(decoded(TOKENS, body, host, "/oauth/token"), now, host);
    }
    const body = fieldsOf(parseJson(text));
    const error = typeof body.error === "string" ? body.error : undefined;
    if (error === "authorization_pending") continue;
    if (error === "slow_down") {
      intervalMs += 5000;
      continue;
    }
    if (error === "rate_limited" || response.status === 429) {
      const retryAfter = Number(response.headers.get("retry-after"));
      intervalMs = retryAfter > 0
        ? Math.min(retryAfter, 60) * 1000
        : Math.min(intervalMs * 2, 30_000);
      continue;
    }
    if (error === "expired_token") throw new OAuthError("Device code expired", error);
    if (error === "access_denied") throw new OAuthError("Authorization denied", error);
    throw new OAuthError(
      `Token polling failed: ${describeOAuthError(body, response.status, [code.deviceCode])}`,
      error,
    );
  }
}

/** Exchanges a refresh token for a new pair (the old refresh token is kept if none is returned). */
export async function refreshTokens(
  host: string,
  refreshToken: string,
  options: RequestOptions & { now?: () => number } = {},
): Promise<TokenSet> {
  const what = `Token refresh failed at ${host}`;
  const response = await post(host, "/oauth/token", {
    client_id: OAUTH_CLIENT_ID,
    grant_type: "refresh_token",
    refresh_token: refreshToken,
  }, options).catch((error) => {
    if (error instanceof Cancelled) throw error;
    throw new OAuthError(`${what}: ${redact(unreachable(host, error), [refreshToken])}`);
  });
  const parsed = parseJson(response.text);
  const body = fieldsOf(parsed);
  if (response.ok) {
    if (parsed === undefined) throw new OAuthError(`${what}: ${notJson(host, response)}`);
    const tokens = decoded(TOKENS, parsed, host, "/oauth/token");
    // A server that does not rotate refresh tokens keeps the one we have.
    return tokenSet(
      { ...tokens, refresh_token: tokens.refresh_token ?? refreshToken },
      options.now ?? Date.now,
      host,
    );
  }
  if (body.error === "invalid_grant") {
    throw new OAuthError(
      'OAuth refresh token is no longer valid. Please run "ably login" again.',
      "invalid_grant",
    );
  }
  throw new OAuthError(
    `${what}: ${describeOAuthError(body, response.status, [refreshToken])}`,
  );
}

function tokenSet(
  body: { access_token: string; refresh_token?: string; expires_in?: number; scope?: string },
  now: () => number,
  host: string,
): TokenSet {
  if (body.refresh_token === undefined) {
    throw new OAuthError(
      `Unexpected answer from the authorization server at ${host}: POST /oauth/token: ` +
        "refresh_token must be a string (got nothing)",
    );
  }
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresAt: now() + (body.expires_in ?? 3600) * 1000,
    scope: body.scope,
  };
}

async function post(
  host: string,
  path: string,
  form: Record<string, string>,
  options: RequestOptions,
): Promise<BoundedResponse> {
  return await fetchBounded(new URL(path, oauthBaseUrl(host)), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams(form),
  }, {
    timeoutMs: options.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS,
    signal: options.signal,
    fetch: options.fetch,
  });
}

/** Why `host` gave no usable answer, always naming it. */
function unreachable(host: string, error: unknown): string {
  if (!(error instanceof HttpFailure)) return causeOf(error);
  switch (error.kind) {
    case "timeout":
      return `${host} ${error.message}`;
    case "too-large":
      return `${host} sent a ${error.message}`;
    default:
      return `cannot reach ${host} (${error.message})`;
  }
}

function notJson(host: string, response: BoundedResponse): string {
  return `${host} answered HTTP ${response.status} with a body that is not JSON`;
}

function causeOf(error: unknown): string {
  return printable(error instanceof Error ? error.message : String(error));
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Cancelled());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Cancelled());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The server's own words, without any secret the request carried (a server may echo them). */
function describeOAuthError(
  body: Record<string, unknown>,
  status: number,
  secrets: string[],
): string {
  for (const key of ["error_description", "error"]) {
    if (typeof body[key] === "string" && body[key]) {
      return printable(redact(body[key] as string, secrets));
    }
  }
  return `HTTP ${status}`;
}

/** The parsed body, or `undefined` when it is not JSON at all. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An error body's members, whatever its shape (only strings are ever read from it). */
function fieldsOf(body: unknown): Record<string, unknown> {
  return body && typeof body === "object" && !Array.isArray(body)
    ? body as Record<string, unknown>
    : {};
}
