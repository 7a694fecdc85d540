/**
 * Measures `ably accounts status` against a loopback server that answers `GET /me`
 * after 200 ms, with 10 accounts (each its own token): the checks run at once, so the
 * wall time should stay under 0.6 s plus start-up. Then against a server that never
 * answers, with a 2 s Control API time-out: it should end after about 2 s plus start-up,
 * naming every account it could not check. A measurement, not a test.
 *
 * Usage: deno run --allow-env --allow-read --allow-write --allow-net=127.0.0.1 --allow-run=deno bench/status_parallel.ts
 */
const DELAY_MS = 200;
const ACCOUNTS = 10;

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
  await request.body?.cancel();
  await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
  const path = new URL(request.url).pathname;
  if (path !== "/api/v1/me") return new Response("{}", { status: 404 });
  return Response.json({
    account: { id: "VgQpOZ", name: "Bench" },
    user: { email: "bench@example.com" },
  });
});
const host = `127.0.0.1:${server.addr.port}`;
const released = Promise.withResolvers<void>();
const silent = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
  await released.promise;
  return new Response(null, { status: 503 });
});
const silentHost = `127.0.0.1:${silent.addr.port}`;
const HANG_TIMEOUT_MS = 2_000;
const dir = await Deno.makeTempDir({ prefix: "ably-status-bench-" });
try {
  const lines: string[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    lines.push(
      `[accounts.a${i}]`,
      `accessToken = "bench_token_${i}_0123456789"`,
      `accountId = "id${i}"`,
      `accountName = "Account ${i}"`,
      `userEmail = "a${i}@example.com"`,
      "",
    );
  }
  lines.push("[current]", 'account = "a0"', "");
  await Deno.writeTextFile(`${dir}/config`, lines.join("\n"), { mode: 0o600 });

  const spawn = async (args: string[], env: Record<string, string> = {}) => {
    const started = performance.now();
    const output = await new Deno.Command("deno", {
      args: ["task", "-q", "ably", ...args],
      cwd: new URL("..", import.meta.url),
      env: { ABLY_CLI_CONFIG_DIR: dir, ABLY_CONTROL_HOST: host, NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { ms: performance.now() - started, output };
  };
  const run = async (args: string[]) => {
    const { ms, output } = await spawn(args);
    if (!output.success) {
      throw new Error(`${args.join(" ")} failed:\n${new TextDecoder().decode(output.stderr)}`);
    }
    return ms;
  };
  await run(["accounts", "status", "--offline"]); // warm the module cache
  const offline = await run(["accounts", "status", "--offline"]);
  const live = await run(["accounts", "status"]);
  console.log(`accounts status, ${ACCOUNTS} accounts, /me after ${DELAY_MS} ms each:`);
  console.log(`  live:    ${live.toFixed(0)} ms`);
  console.log(`  offline: ${offline.toFixed(0)} ms (start-up and local work, no request)`);
  console.log(
    `  checks:  ${(live - offline).toFixed(0)} ms over start-up (target < 600 ms; serial would be ${
      ACCOUNTS * DELAY_MS
    } ms)`,
  );
  const hung = await spawn(["accounts", "status"], {
    ABLY_CONTROL_HOST: silentHost,
    ABLY_CONTROL_TIMEOUT_MS: String(HANG_TIMEOUT_MS),
  });
  const said = new TextDecoder().decode(hung.output.stdout);
  const unreachable = said.split("\n").filter((line) => /unreachable/.test(line)).length;
  console.log(
    `accounts status against a Control API that never answers (time-out ${HANG_TIMEOUT_MS} ms):`,
  );
  console.log(
    `  ended after ${hung.ms.toFixed(0)} ms (${
      (hung.ms - offline).toFixed(0)
    } ms over start-up), exit ${hung.output.code}; ${unreachable} of ${ACCOUNTS} accounts reported unreachable`,
  );
} finally {
  released.resolve();
  await server.shutdown();
  await silent.shutdown();
  await Deno.remove(dir, { recursive: true });
}
