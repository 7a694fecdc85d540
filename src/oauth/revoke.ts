/**
 * RFC 7009 token revocation. Knows HTTP, nothing of the config: it is handed a
 * host and tokens and reports what happened to each token.
 */
import { fetchBounded, printable } from "../http.ts";
import { redact } from "../redact.ts";
import { DEFAULT_OAUTH_TIMEOUT_MS, OAUTH_CLIENT_ID, oauthBaseUrl } from "./endpoint.ts";

export type RevokeResult =
  | { status: "revoked" }
  | {
    status: "failed";
    /** In words: what the server said (its error description), or why it was not reached. */
    reason: string;
    /** The server's HTTP status and its answer as sent (printable, redacted), when it answered. */
    httpStatus?: number;
    response?: string;
  };

export interface RevokeOptions {
  host: string;
  timeoutMs?: number;
  clientId?: string;
  /** Cancels the request early (e.g. Ctrl-C). */
  signal?: AbortSignal;
  /** Injected by tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Further secrets to keep out of the reason (the request's own token always is). */
  secrets?: readonly string[];
}

/** Revokes one token. Never throws: every failure becomes a `failed` result. */
export async function revokeToken(token: string, options: RevokeOptions): Promise<RevokeResult> {
  const secrets = [token, ...(options.secrets ?? [])];
  const failed = (
    reason: string,
  ) => ({ status: "failed", reason: redact(reason, secrets) } as const);
  let url: URL;
  try {
    url = new URL("/oauth/revoke", oauthBaseUrl(options.host));
  } catch (error) {
    return failed((error as Error).message);
  }
  try {
    const response = await fetchBounded(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: options.clientId ?? OAUTH_CLIENT_ID, token }),
    }, {
      timeoutMs: options.timeoutMs ?? DEFAULT_OAUTH_TIMEOUT_MS,
      signal: options.signal,
      fetch: options.fetch,
    });
    if (response.ok) return { status: "revoked" };
    // Redact before cutting: a cut could leave a prefix no pattern recognises.
    const detail = printable(redact(response.text, secrets));
    const said = described(redact(response.text, secrets));
    return {
      ...failed(`the server answered ${response.status}${said ? `: ${said}` : ""}`),
      httpStatus: response.status,
      ...(detail ? { response: detail } : {}),
    };
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
}

/** Access and refresh token are revoked at the same time: one round trip, not two. */
export async function revokeTokenPair(
  tokens: { access?: string; refresh?: string },
  options: RevokeOptions,
): Promise<{ access?: RevokeResult; refresh?: RevokeResult }> {
  // Either reply may echo either token: keep both out of both reasons.
  const secrets = [tokens.access, tokens.refresh, ...(options.secrets ?? [])]
    .filter((s): s is string => !!s);
  const [access, refresh] = await Promise.all([
    tokens.access ? revokeToken(tokens.access, { ...options, secrets }) : undefined,
    tokens.refresh ? revokeToken(tokens.refresh, { ...options, secrets }) : undefined,
  ]);
  // Only what was sent: a result merged over an earlier attempt's keeps what that one said.
  return { ...(access ? { access } : {}), ...(refresh ? { refresh } : {}) };
}

/** An RFC 6749 error answer in words (`error_description`, else `error`), else the text. */
function described(text: string): string {
  let said = text;
  try {
    const body = JSON.parse(text);
    if (typeof body?.error_description === "string") said = body.error_description;
    else if (typeof body?.error === "string") said = body.error.replaceAll("_", " ");
  } catch {
    // Not JSON: the text is what it said.
  }
  return printable(said, 200);
}
