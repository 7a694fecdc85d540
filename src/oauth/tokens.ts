/**
 * RFC 8628 device authorization and RFC 6749 refresh against the Ably
 * authorization server. Knows HTTP, nothing of the config.
 */
import { type BoundedResponse, fetchBounded, HttpFailure, printable } from "../http.ts";
import { redact } from "../redact.ts";
import { Cancelled } from "../errors.ts";
import { OAUTH_CLIENT_ID, oauthBaseUrl } from "./endpoint.ts";

export const DEFAULT_TOKEN_TIMEOUT_MS = 15_000;
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
  if (!body) throw new OAuthError(`${what}: ${notJson(host, response)}`);
  const deviceCode = body.device_code;
  const userCode = body.user_code;
  const verificationUri = body.verification_uri;
  if (
    typeof deviceCode !== "string" || typeof userCode !== "string" ||
    typeof verificationUri !== "string"
  ) {
    throw new OAuthError(
      "Device code response is missing device_code, user_code or verification_uri",
    );
  }
  return {
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete: typeof body.verification_uri_complete === "string"
      ? body.verification_uri_complete
      : verificationUri,
    expiresIn: positive(body.expires_in, 300),
    interval: positive(body.interval, 5),
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
      return tokenSet(
        parseJson(text),
        now,
        () => `Token polling failed: ${notJson(host, response)}`,
      );
    }
    const body = parseJson(text) ?? {};
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
  const body = parsed ?? {};
  if (response.ok) {
    if (!parsed) throw new OAuthError(`${what}: ${notJson(host, response)}`);
    return tokenSet(
      { refresh_token: refreshToken, ...body },
      options.now ?? Date.now,
      () => `${what}: the response has no access_token or refresh_token`,
    );
  }
  if (body.error === "invalid_grant") {
    throw new OAuthError(
      "OAuth refresh token is no longer valid. Please run 'ably login' again.",
      "invalid_grant",
    );
  }
  throw new OAuthError(
    `${what}: ${describeOAuthError(body, response.status, [refreshToken])}`,
  );
}

function tokenSet(
  body: Record<string, unknown> | undefined,
  now: () => number,
  notTokens: () => string = () => "Token response missing required fields",
): TokenSet {
  const accessToken = body?.access_token;
  const refreshToken = body?.refresh_token;
  if (typeof accessToken !== "string" || typeof refreshToken !== "string") {
    throw new OAuthError(body ? "Token response missing required fields" : notTokens());
  }
  return {
    accessToken,
    refreshToken,
    expiresAt: now() + positive(body?.expires_in, 3600) * 1000,
    scope: typeof body?.scope === "string" ? body.scope : undefined,
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
    timeoutMs: options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS,
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

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" ? value : undefined;
  } catch {
    return undefined;
  }
}

function positive(value: unknown, fallback: number): number {
  return typeof value === "number" && value > 0 ? value : fallback;
}
