/** The Ably Control API calls the accounts commands make. Knows HTTP, nothing of the config. */
import denoJson from "../../deno.json" with { type: "json" };
import { fetchFailure, hostUrl, printable } from "../http.ts";
import { ControlApiError } from "./errors.ts";

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

export function controlClient(
  host: string,
  token: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): ControlClient {
  const base = controlBaseUrl(host);
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_CONTROL_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          Accept: "application/json",
          Authorization: `Bearer ${token}`,
          "Content-Type": "application/json",
          "Ably-Agent": `ably-cli/${denoJson.version}`,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
        redirect: "manual",
      });
    } catch (error) {
      if (timeout.aborted) throw new ControlApiError(`Network error: ${method} ${path} timed out`);
      throw new ControlApiError(`Network error: ${printable(fetchFailure(error))}`);
    }
    const text = await response.text();
    if (!response.ok) {
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(text);
      } catch { /* not JSON */ }
      const detail = typeof parsed?.message === "string"
        ? `: ${printable(parsed.message)}`
        : !parsed && text && text.length < 100
        ? `: ${printable(text)}`
        : "";
      throw new ControlApiError(
        `API request failed (${response.status} ${response.statusText})${detail}`,
        response.status,
        typeof parsed?.code === "number" ? parsed.code : undefined,
        typeof parsed?.href === "string" ? printable(parsed.href) : undefined,
      );
    }
    return (text ? JSON.parse(text) : {}) as T;
  };
  return {
    me: async () => clean(await request<Me>("GET", "/me")),
    async accounts() {
      try {
        return clean(await request<RemoteAccount[]>("GET", "/me/accounts"));
      } catch (error) {
        // Older API versions have no account listing: the user's own account is all there is.
        if (error instanceof ControlApiError && error.statusCode === 404) {
          const me = await request<Me>("GET", "/me");
          return [clean(me.account)];
        }
        throw error;
      }
    },
    apps: async (accountId) =>
      clean(await request<App[]>("GET", `/accounts/${encodeURIComponent(accountId)}/apps`)),
    createApp: async (accountId, name) =>
      clean(
        await request<App>("POST", `/accounts/${encodeURIComponent(accountId)}/apps`, {
          name,
          tlsOnly: true,
        }),
      ),
    keys: async (appId) =>
      clean(await request<Key[]>("GET", `/apps/${encodeURIComponent(appId)}/keys`)),
  };
}

/**
 * Names, ids and emails from the API end up on terminals and in the config:
 * strip control characters from every string the API returns.
 */
function clean<T>(value: T): T {
  if (typeof value === "string") return printable(value, 500) as T;
  if (Array.isArray(value)) return value.map(clean) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)])) as T;
  }
  return value;
}
