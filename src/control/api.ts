/** The Ably Control API calls the accounts commands make. Knows HTTP, nothing of the config. */
import denoJson from "../../deno.json" with { type: "json" };
import {
  type BoundedResponse,
  decodeBody,
  type Decoder,
  fetchBounded,
  hostUrl,
  type HttpFailure,
  object,
  optional,
  printable,
  ShapeError,
  someOf,
  text,
} from "../http.ts";
import { redact } from "../redact.ts";
import { ControlApiError } from "./errors.ts";
import { Cancelled } from "../errors.ts";
import { formatDuration } from "../duration.ts";

export { ControlApiError };

export const DEFAULT_CONTROL_HOST = "control.ably.net";
export const DEFAULT_CONTROL_TIMEOUT_MS = 15_000;

export interface Me {
  account: { id: string; name: string };
  user: { email: string };
}
export interface RemoteAccount {
  id: string;
  name: string;
}
export interface App {
  id: string;
  name: string;
}
export interface Key {
  id: string;
  name?: string;
  key: string;
  appId?: string;
}

/*
 * One decoder per endpoint: the shape the CLI uses and stores. Identifiers, emails and keys
 * with control characters are refused (they are stored and sent back in paths); names meant
 * for people are cleaned. The bounds are far above what Ably issues.
 */
const id = text(256, { controls: "refuse" });
const name = text(256, { controls: "clean", empty: true });
const email = text(320, { controls: "refuse", empty: true });
const account: Decoder<RemoteAccount> = object({ id, name });
const app: Decoder<App> = object({ id, name });
const ME: Decoder<Me> = object({ account, user: object({ email }) });
const key: Decoder<Key> = object({
  id,
  name: optional(name),
  key: text(1024, { controls: "refuse" }),
  appId: optional(id),
});

/**
 * Lists may be long (a user in 50,000 accounts): their answers get a larger cap than one
 * object's, and an entry that does not decode is skipped (and said), not fatal.
 */
const MAX_LIST_BYTES = 32 * 1024 * 1024;
const MAX_LIST_ITEMS = 200_000;

/**
 * `https://<host>/v1` for the API's own hosts (`control.*`, `control-*`),
 * `https://<host>/api/v1` for the website proxy (review apps, local servers);
 * plain HTTP only on loopback.
 */
export function controlBaseUrl(host: string): string {
  let url: URL;
  try {
    url = hostUrl(host, "Control API host");
  } catch (error) {
    throw new ControlApiError((error as Error).message);
  }
  const prefix = /^control[.-]/i.test(host) ? "/v1" : "/api/v1";
  return `${url.protocol}//${url.host}${prefix}`;
}

export interface ControlClient {
  me(): Promise<Me>;
  accounts(): Promise<RemoteAccount[]>;
  apps(accountId: string): Promise<App[]>;
  createApp(accountId: string, name: string): Promise<App>;
  keys(appId: string): Promise<Key[]>;
}

export interface ClientOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Injected by tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Told of each list entry left out because it does not have the shape the CLI stores. */
  skipped?: (message: string) => void;
}

/** One request's where and what, for its messages. */
interface Call {
  host: string;
  base: string;
  token: string;
  method: string;
  path: string;
  /** Server text may echo the token (e.g. `Bearer <token>`): every message is redacted. */
  shown(text: string, max?: number): string;
}

export function controlClient(
  host: string,
  token: string,
  options: ClientOptions = {},
): ControlClient {
  const base = controlBaseUrl(host);
  const shown = (text: string, max?: number) => printable(redact(text, [token]), max);
  const request = <T>(
    method: string,
    path: string,
    decoder: Decoder<T>,
    body?: unknown,
    maxBytes?: number,
  ) => send({ host, base, token, method, path, shown }, decoder, options, body, maxBytes);
  /** A list, its odd entries skipped and each named (never its values) to `skipped`. */
  const list = <T>(path: string, item: Decoder<T>) =>
    request(
      "GET",
      path,
      someOf(item, MAX_LIST_ITEMS, (problem) => {
        options.skipped?.(
          `Skipped an entry the Control API at ${host} listed (GET ${path}): ${problem.message}.`,
        );
      }),
      undefined,
      MAX_LIST_BYTES,
    );
  return {
    me: () => request("GET", "/me", ME),
    async accounts() {
      try {
        return await list("/me/accounts", account);
      } catch (error) {
        // Older API versions have no account listing: the user's own account is all there is.
        if (error instanceof ControlApiError && error.statusCode === 404) {
          const me = await request("GET", "/me", ME);
          return [me.account];
        }
        throw error;
      }
    },
    apps: (accountId) => list(`/accounts/${encodeURIComponent(accountId)}/apps`, app),
    createApp: (accountId, name) =>
      request("POST", `/accounts/${encodeURIComponent(accountId)}/apps`, app, {
        name,
        tlsOnly: true,
      }),
    keys: (appId) => list(`/apps/${encodeURIComponent(appId)}/keys`, key),
  };
}

/** Sends one request and decodes its answer; every failure a `ControlApiError` (or Ctrl-C). */
async function send<T>(
  call: Call,
  decoder: Decoder<T>,
  options: ClientOptions,
  body?: unknown,
  maxBytes?: number,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONTROL_TIMEOUT_MS;
  let response: BoundedResponse;
  try {
    response = await fetchBounded(`${call.base}${call.path}`, {
      method: call.method,
      headers: {
        Accept: "application/json",
        Authorization: `Bearer ${call.token}`,
        "Content-Type": "application/json",
        "Ably-Agent": `ably-cli/${denoJson.version}`,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }, { timeoutMs, signal: options.signal, fetch: options.fetch, maxBytes });
  } catch (error) {
    if (error instanceof Cancelled) throw error;
    throw unanswered(call, error as HttpFailure, timeoutMs);
  }
  const parsed = parseJson(response.text);
  if (!response.ok) throw refused(call, response, parsed);
  if (parsed === undefined) {
    throw new ControlApiError(
      `API request failed: ${call.method} ${call.path} at ${call.host} answered HTTP ${response.status} ` +
        (response.text ? "with a body that is not JSON" : "with an empty body"),
      response.status,
    );
  }
  try {
    return decodeBody(decoder, parsed);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new ControlApiError(
      `Unexpected answer from the Control API at ${call.host}: ${call.method} ${call.path}: ${error.message}; ` +
        "nothing was stored from it",
      response.status,
    );
  }
}

/** No usable answer at all: a time-out, a body past the cap, or the network. */
function unanswered(call: Call, failure: HttpFailure, timeoutMs: number): ControlApiError {
  if (failure.kind === "timeout") {
    return new ControlApiError(
      `Network error: ${call.host} did not answer within ${
        formatDuration(timeoutMs)
      }; ${call.method} ${call.path} timed out`,
    );
  }
  if (failure.kind === "too-large") {
    return new ControlApiError(
      `API request failed: ${call.method} ${call.path} at ${call.host} sent a ${failure.message}`,
    );
  }
  return new ControlApiError(`Network error: ${call.shown(`${call.host}: ${failure.message}`)}`);
}

/** An error status, with the API's own message, error code and help link when it sent them. */
function refused(call: Call, response: BoundedResponse, parsed: unknown): ControlApiError {
  const fields = (parsed && typeof parsed === "object" ? parsed : {}) as Record<string, unknown>;
  const text = response.text;
  const detail = typeof fields.message === "string"
    ? `: ${call.shown(fields.message)}`
    : parsed === undefined && text && text.length < 100
    ? `: ${call.shown(text)}`
    : "";
  return new ControlApiError(
    `API request failed (${response.status} ${response.statusText})${detail}`,
    response.status,
    typeof fields.code === "number" ? fields.code : undefined,
    typeof fields.href === "string" ? call.shown(fields.href) : undefined,
  );
}

/** The body parsed, or `undefined` when it is not JSON (an empty body is not). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
