/** A real HTTP server on 127.0.0.1 playing the Ably authorization server. */

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | null;
  form: Record<string, string>;
}

/** How the server answers a revocation request. */
export type Behaviour =
  | { status: number; body?: string }
  | { hang: true };

export interface AuthServer {
  /** `127.0.0.1:<port>`, as stored in an account's `oauthHost` or session key. */
  host: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export function startAuthServer(
  behaviour: Behaviour | ((request: RecordedRequest) => Behaviour) = { status: 200 },
): AuthServer {
  const requests: RecordedRequest[] = [];
  const released = Promise.withResolvers<void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const url = new URL(request.url);
      const recorded: RecordedRequest = {
        method: request.method,
        path: url.pathname,
        contentType: request.headers.get("content-type"),
        form: Object.fromEntries(new URLSearchParams(await request.text())),
      };
      requests.push(recorded);
      const answer = typeof behaviour === "function" ? behaviour(recorded) : behaviour;
      if ("hang" in answer) {
        await released.promise;
        return new Response("released", { status: 503 });
      }
      return new Response(answer.body ?? "", { status: answer.status });
    },
  );
  return {
    host: `127.0.0.1:${server.addr.port}`,
    requests,
    async close() {
      released.resolve();
      await server.shutdown();
    },
  };
}

/** A loopback address where nothing listens (connection refused). */
export async function closedHost(): Promise<string> {
  const server = startAuthServer();
  const host = server.host;
  await server.close();
  return host;
}
