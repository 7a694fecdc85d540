/**
 * Secret stores behind one interface: a store the tests register with one line
 * (tests/helpers/memory-store.ts, registered in tests/helpers/in-process.ts) is used by a
 * login, the listings, a move and a logout exactly as the OS keychain is, with nothing of
 * it anywhere in src/.
 */
import assert from "node:assert/strict";
import { withAblyServer } from "../helpers/ably-server.ts";
import { readConfigText, resultOf, runCli, tempConfigDir, unwrapped } from "../helpers/cli.ts";
import { MemoryItems } from "../helpers/memory-store.ts";

const TOKEN = "memory_store_token_SeCrEt";

Deno.test("stores: a store registered by one line keeps a login's token out of the file; list, status, a move back and a logout use it as any store", async () => {
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir();
    const memory = new MemoryItems();
    const run = (args: string[], env: Record<string, string> = {}) =>
      runCli(args, {
        configDir: dir,
        memory,
        env: { ABLY_CONTROL_HOST: server.host, ...env },
        secrets: [TOKEN],
      });

    const login = await run(
      ["accounts", "login", "--token", TOKEN, "--alias", "mem", "--json"],
      { ABLY_CLI_CREDENTIAL_STORE: "memory" },
    );
    assert.equal(login.code, 0, login.stderr);
    assert.equal(resultOf(login.records()).account.credentials, "memory");
    assert.ok(!(await readConfigText(dir)).includes(TOKEN), "no token in the file");
    assert.match(await readConfigText(dir), /credentialStore = "memory"/);
    const ns = /credentialNamespace = "([0-9a-f]{12})"/.exec(await readConfigText(dir))?.[1];
    assert.ok(ns, "the config has a namespace for its items");
    // The token and the app's API key, each under this config's namespace.
    assert.deepEqual([...memory.items.keys()].sort(), [
      `cfg-${ns}:key:mem:aBcDeF`,
      `cfg-${ns}:token:mem`,
    ]);

    const list = await run(["accounts", "list"]);
    assert.match(list.stdout, /Tokens: test memory store/);
    assert.match(
      list.stderr,
      /The official Ably CLI cannot read the test memory store: run eval "\$\(ably accounts env ALIAS\)" before it\./,
    );
    const status = await run(["accounts", "status"]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Tokens in: test memory store\n[^]*Check: valid/);
    assert.equal(server.to("/api/v1/me").at(-1)?.authorization, `Bearer ${TOKEN}`);

    const back = await run(["accounts", "keychain", "mem", "--to-file", "--json"]);
    assert.equal(back.code, 0, back.stderr);
    assert.ok((await readConfigText(dir)).includes(TOKEN), "the token is back in the file");
    assert.deepEqual([...memory.items.keys()], [], "and out of the store");

    const logout = await run(["accounts", "logout", "mem", "--force"]);
    assert.equal(logout.code, 0, logout.stderr);
    assert.ok(!(await readConfigText(dir)).includes("[accounts.mem]"));
  });
});

Deno.test("stores: a store that is down is named with its own fix, and the login stops before anything is asked or sent", async () => {
  await withAblyServer({}, async (server) => {
    const memory = new MemoryItems();
    memory.down = "the memory went away";
    const login = await runCli(["accounts", "login", "--token", TOKEN], {
      configDir: await tempConfigDir(),
      memory,
      env: { ABLY_CONTROL_HOST: server.host, ABLY_CLI_CREDENTIAL_STORE: "memory" },
      secrets: [TOKEN],
    });
    assert.equal(login.code, 1);
    assert.match(
      unwrapped(login.stderr),
      /Cannot use the test memory store \(unavailable: the memory went away\)\. Bring the test memory store back and try again, or log in without ABLY_CLI_CREDENTIAL_STORE=memory to keep the tokens in the config file\./,
    );
    assert.deepEqual(server.requests, []);
  });
});
