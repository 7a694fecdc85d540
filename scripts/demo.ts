/**
 * Try it now: the real CLI against a throw-away config directory with two
 * sample accounts (one OAuth, one legacy) and a local stand-in for the Ably
 * authorization server and Control API on 127.0.0.1: list, status, switching
 * to an account the OAuth login reaches, logout with revocation. Never reads or
 * writes your own ~/.ably.
 *
 * Usage: deno task demo
 */
import denoJson from "../deno.json" with { type: "json" };
import { runFlags } from "./compile.ts";

// Styled only on a terminal without NO_COLOR: `deno task demo > file` gets plain text.
const color = !Deno.noColor && Deno.stdout.isTerminal();
const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[22m` : text);
const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[22m` : text);
const mainTs = new URL("../main.ts", import.meta.url).pathname.replace(/^\/([A-Za-z]:)/, "$1");

const revoked: string[] = [];
const ACME = { id: "VgQpOZ", name: "Acme Ltd" };
const STAGING = { id: "S7gIng", name: "Acme Staging" };
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
  const form = new URLSearchParams(await request.text());
  const path = new URL(request.url).pathname;
  if (path === "/oauth/revoke") {
    const token = form.get("token") ?? "";
    revoked.push(token.startsWith("demo_at") ? "access token" : "refresh token");
    return new Response(null, { status: 200 });
  }
  // The Control API (as served for a non-`control.` host): who the token is, and the
  // accounts its login reaches.
  const bearer = request.headers.get("authorization");
  if (path === "/api/v1/me") {
    if (bearer === "Bearer demo_at_0001") {
      return Response.json({ account: ACME, user: { email: "jane@acme.example" } });
    }
    if (bearer === "Bearer demo_legacy_token") {
      return Response.json({
        account: { id: "Xy12Ab", name: "Acme CI" },
        user: { email: "ci@acme.example" },
      });
    }
    return Response.json({ message: "Unauthorized", code: 40101 }, { status: 401 });
  }
  if (path === "/api/v1/me/accounts") return Response.json([ACME, STAGING]);
  return new Response("not found", { status: 404 });
});
const issuer = `127.0.0.1:${server.addr.port}`;
const configDir = await Deno.makeTempDir({ prefix: "ably-demo-" });

const config = `[accounts.acme]
accountId = "VgQpOZ"
accountName = "Acme Ltd"
authMethod = "oauth"
currentAppId = "aBcDeF"
oauthSessionKey = "jane@acme.example::${issuer}"
userEmail = "jane@acme.example"

[accounts.acme.apps.aBcDeF]
apiKey = "aBcDeF.kEy123:demoSecret"
appName = "My App"
keyId = "kEy123"
keyName = "Root"

[accounts.legacy-ci]
accessToken = "demo_legacy_token"
accountId = "Xy12Ab"
accountName = "Acme CI"
userEmail = "ci@acme.example"
tokenId = "unknown"

[oauthSessions."jane@acme.example::${issuer}"]
accessToken = "demo_at_0001"
accessTokenExpiresAt = 4102444800000
oauthScope = "full_access"
refreshToken = "demo_rt_0001"

[current]
account = "acme"
`;
await Deno.writeTextFile(`${configDir}/config`, config, { mode: 0o600 });

async function ably(...args: string[]): Promise<void> {
  console.log(`\n${bold(`$ ably ${args.join(" ")}`)}`);
  const command = ["deno", "run", ...runFlags(denoJson.tasks.ably), mainTs, ...args];
  // On a terminal both streams show as they are. Redirected (`> demo.txt`), the CLI's stderr
  // (its ✓ lines, notes and warnings) goes into the file too, in the order said: through
  // one pipe where a POSIX shell can join them, else relayed as it comes.
  const redirected = !Deno.stdout.isTerminal();
  const joined = redirected && Deno.build.os !== "windows";
  const child = new Deno.Command(joined ? "sh" : command[0], {
    args: joined ? ["-c", 'exec "$@" 2>&1', "sh", ...command] : command.slice(1),
    env: { ABLY_CLI_CONFIG_DIR: configDir, ABLY_CONTROL_HOST: issuer },
    stdin: "null",
    ...(redirected && !joined ? { stdout: "piped", stderr: "piped" } as const : {}),
  }).spawn();
  if (redirected && !joined) await Promise.all([relay(child.stdout), relay(child.stderr)]);
  const { code } = await child.status;
  if (code !== 0) console.log(dim(`(exit ${code})`));
}

/** Copies one of the CLI's streams to this one's stdout, chunk by chunk as it comes. */
async function relay(stream: ReadableStream<Uint8Array>): Promise<void> {
  for await (const chunk of stream) Deno.stdout.writeSync(chunk);
}

try {
  console.log(bold("A throw-away config in"), configDir);
  console.log(
    dim(`and a local stand-in for the Ably servers on ${issuer} (your ~/.ably is not touched)`),
  );
  await ably("accounts", "list");
  await ably("accounts", "status");
  await ably("accounts", "switch", STAGING.id);
  await ably("config", "show");
  await ably("accounts", "logout", "--all", "--force");
  console.log(dim(`(the authorization server revoked: ${revoked.join(", ") || "nothing"})`));
  await ably("config", "show", "--reveal");
} finally {
  await server.shutdown();
  await Deno.remove(configDir, { recursive: true });
}
