/**
 * One real HTTP server on 127.0.0.1 that plays both the Ably authorization
 * server (/oauth/*) and the Control API (/api/v1/*, as served for non-`control.`
 * hosts). Every request is recorded; answers are scripted per test.
 *
 * This is the only scripted fake server the tests use. The two servers that are not it
 * are about the transport itself: huge_server.ts (bodies of gigabytes, produced as fast as
 * the client reads them) and the endless body in tests/http.test.ts.
 */

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | null;
  contentType: string | null;
  /** The body, when it was a form (every OAuth request is). */
  form: Record<string, string>;
  /** The body, when it was JSON. */
  json?: unknown;
}

/**
 * How the server answers one request: a status with a body (an object is sent as JSON, a
 * string as it is, so garbage bodies are strings), optionally after a delay; or never, until
 * the server closes (`hang`).
 */
export type Answer =
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | { hang: true };

/** A fixed answer, or one worked out per request (it may wait, count, or fail). */
export type Scripted = Answer | ((request: SeenRequest) => Answer | Promise<Answer>);

export interface AblyServerScript {
  /** Answers every request, whatever its path: the rest of the script is ignored. */
  all?: Scripted;
  /** Answer to the device-code request (default: a code, polled every 10 ms). */
  deviceCode?: Scripted;
  /** Answers to successive device-code polls; the last one repeats. Default: tokens at once. */
  polls?: Answer[];
  /** Answer to refresh-token grants (default: rotate, and refuse a refresh token used twice). */
  refresh?: (refreshToken: string) => Answer | Promise<Answer>;
  me?: Scripted;
  accounts?: Scripted;
  apps?: Scripted;
  keys?: Scripted;
  createApp?: Scripted;
  /** Answer to token revocations (default: 200). */
  revoke?: Scripted;
}

export const ME = {
  account: { id: "VgQpOZ", name: "Test Account" },
  user: { email: "jane@acme.example" },
};
export const ISSUED = { access: "issued_at_SeCrEt", refresh: "issued_rt_SeCrEt" };

export const DEVICE_CODE = {
  device_code: "device-123",
  user_code: "TEST-CODE",
  verification_uri: "https://ably.example/device",
  verification_uri_complete: "https://ably.example/device?code=TEST-CODE",
  expires_in: 30,
  interval: 0.01,
};

export function tokenBody(access: string, refresh: string, expiresIn = 3600) {
  return {
    access_token: access,
    refresh_token: refresh,
    expires_in: expiresIn,
    token_type: "Bearer",
    scope: "full_access",
  };
}

export interface AblyServer {
  /** `127.0.0.1:<port>`, as given to --oauth-host/--control-host or stored as an issuer. */
  host: string;
  requests: SeenRequest[];
  /** Requests to one path (e.g. "/oauth/revoke" or "/api/v1/me"). */
  to(path: string): SeenRequest[];
  /** The tokens sent to /oauth/revoke, sorted. */
  revoked(): string[];
  close(): Promise<void>;
}

export function startAblyServer(script: AblyServerScript = {}): AblyServer {
  const requests: SeenRequest[] = [];
  const released = Promise.withResolvers<void>();
  let polls = 0;
  let rotation = 0;
  const spentRefreshTokens = new Set<string>();

  const defaultRefresh = (refreshToken: string): Answer => {
    if (spentRefreshTokens.has(refreshToken)) {
      return { status: 400, body: { error: "invalid_grant" } };
    }
    spentRefreshTokens.add(refreshToken);
    rotation++;
    return {
      status: 200,
      body: tokenBody(`refreshed_at_${rotation}_SeCrEt`, `refreshed_rt_${rotation}_SeCrEt`),
    };
  };

  const route = (seen: SeenRequest): Scripted => {
    const { method, path } = seen;
    if (script.all) return script.all;
    if (method === "POST" && path === "/oauth/authorize_device") {
      return script.deviceCode ?? { status: 200, body: DEVICE_CODE };
    }
    if (method === "POST" && path === "/oauth/token") {
      if (seen.form.grant_type === "refresh_token") {
        const refresh = script.refresh ?? defaultRefresh;
        return () => refresh(seen.form.refresh_token);
      }
      const answers = script.polls ?? [{
        status: 200,
        body: tokenBody(ISSUED.access, ISSUED.refresh),
      }];
      return answers[Math.min(polls++, answers.length - 1)];
    }
    if (method === "POST" && path === "/oauth/revoke") return script.revoke ?? { status: 200 };
    if (method === "GET" && path === "/api/v1/me") return script.me ?? { status: 200, body: ME };
    if (method === "GET" && path === "/api/v1/me/accounts") {
      return script.accounts ?? { status: 200, body: [ME.account] };
    }
    if (method === "GET" && /^\/api\/v1\/accounts\/[^/]+\/apps$/.test(path)) {
      return script.apps ?? { status: 200, body: [{ id: "aBcDeF", name: "My App" }] };
    }
    if (method === "POST" && /^\/api\/v1\/accounts\/[^/]+\/apps$/.test(path)) {
      return script.createApp ??
        { status: 201, body: { id: "NeWaPp", name: (seen.json as { name: string }).name } };
    }
    if (method === "GET" && /^\/api\/v1\/apps\/[^/]+\/keys$/.test(path)) {
      return script.keys ?? {
        status: 200,
        body: [{ id: "kEy123", name: "Root", key: "aBcDeF.kEy123:s3cr3tS3cr3t", appId: "aBcDeF" }],
      };
    }
    return { status: 404, body: { message: "Not found" } };
  };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    const text = await request.text();
    const contentType = request.headers.get("content-type");
    const isForm = contentType?.includes("x-www-form-urlencoded") ?? false;
    const seen: SeenRequest = {
      method: request.method,
      path: url.pathname,
      authorization: request.headers.get("authorization"),
      contentType,
      form: isForm ? Object.fromEntries(new URLSearchParams(text)) : {},
      json: isForm ? undefined : parseJson(text),
    };
    requests.push(seen);
    const scripted = route(seen);
    const answer = typeof scripted === "function" ? await scripted(seen) : scripted;
    if ("hang" in answer) {
      await released.promise;
      return new Response("released", { status: 503 });
    }
    if (answer.delayMs) {
      await Promise.race([
        released.promise,
        new Promise((resolve) => setTimeout(resolve, answer.delayMs)),
      ]);
    }
    // No body at all when none is scripted: a 204 may not have one.
    const body = answer.body === undefined
      ? null
      : typeof answer.body === "string"
      ? answer.body
      : JSON.stringify(answer.body);
    return new Response(body, {
      status: answer.status,
      headers: { "content-type": "application/json", ...answer.headers },
    });
  });

  return {
    host: `127.0.0.1:${server.addr.port}`,
    requests,
    to: (path) => requests.filter((r) => r.path === path),
    revoked: () =>
      requests.filter((r) => r.path === "/oauth/revoke").map((r) => r.form.token).sort(),
    async close() {
      released.resolve();
      await server.shutdown();
    },
  };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Flags that point a command at the test server for both OAuth and the Control API. */
export function hostFlags(server: AblyServer): string[] {
  return ["--oauth-host", server.host, "--control-host", server.host];
}

/** Runs `fn` with a server for the script, and always shuts the server down. */
export async function withAblyServer<T>(
  script: AblyServerScript,
  fn: (server: AblyServer) => Promise<T>,
): Promise<T> {
  const server = startAblyServer(script);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/** A loopback address where nothing listens (connection refused). */
export async function closedHost(): Promise<string> {
  return await withAblyServer({}, (server) => Promise.resolve(server.host));
}

/**
 * A `fetch` that runs `act` once, at the first request whose URL ends with `path`: "before" it
 * is sent, or "after" its answer came back (another program's change while it was in flight).
 */
export function actingAt(
  path: string,
  when: "before" | "after",
  act: () => unknown,
): typeof fetch {
  let acted = false;
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const now = !acted && url.endsWith(path);
    if (now) acted = true;
    if (now && when === "before") await act();
    const answer = await fetch(input, init);
    if (now && when === "after") await act();
    return answer;
  };
}
