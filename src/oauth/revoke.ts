/**
 * RFC 7009 token revocation. Knows HTTP, nothing of the config: it is handed a
 * host and tokens and reports what happened to each token.
 */
import { fetchFailure, printable } from "../http.ts";
import { OAUTH_CLIENT_ID, oauthBaseUrl } from "./endpoint.ts";

export const DEFAULT_REVOKE_TIMEOUT_MS = 5_000;

export type RevokeResult = { status: "revoked" } | { status: "failed"; reason: string };

export interface RevokeOptions {
  host: string;
  timeoutMs?: number;
  clientId?: string;
  /** Cancels the request early (e.g. Ctrl-C). */
  signal?: AbortSignal;
}

/** Revokes one token. Never throws: every failure becomes a `failed` result. */
export async function revokeToken(token: string, options: RevokeOptions): Promise<RevokeResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REVOKE_TIMEOUT_MS;
  let url: URL;
  try {
    url = new URL("/oauth/revoke", oauthBaseUrl(options.host));
  } catch (error) {
    return { status: "failed", reason: (error as Error).message };
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: options.clientId ?? OAUTH_CLIENT_ID, token }),
      signal,
      redirect: "manual", // a token is never forwarded to another host
    });
    const body = await response.text();
    if (response.ok) return { status: "revoked" };
    const detail = printable(body.replaceAll(token, "[redacted]"));
    return {
      status: "failed",
      reason: `Token revocation failed (${response.status})${detail ? `: ${detail}` : ""}`,
    };
  } catch (error) {
    if (timeout.aborted) return { status: "failed", reason: `timed out after ${timeoutMs}ms` };
    if (options.signal?.aborted) return { status: "failed", reason: "cancelled" };
    return { status: "failed", reason: printable(fetchFailure(error)) };
  }
}

/** Access and refresh token are revoked at the same time: one round trip, not two. */
export async function revokeTokenPair(
  tokens: { access?: string; refresh?: string },
  options: RevokeOptions,
): Promise<{ access?: RevokeResult; refresh?: RevokeResult }> {
  const [access, refresh] = await Promise.all([
    tokens.access ? revokeToken(tokens.access, options) : undefined,
    tokens.refresh ? revokeToken(tokens.refresh, options) : undefined,
  ]);
  return { access, refresh };
}
