/** A user's whole session on one config: login twice, list, switch, current, logout, logout. */
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/toml.ts";
import { hostFlags, ISSUED, startAblyServer, tokenBody } from "../helpers/ably-server.ts";
import { readConfigText, spawnCli, tempConfigDir } from "../helpers/cli.ts";

Deno.test("journey: login → login --alias → list → switch → current → logout → logout", async () => {
  const server = startAblyServer({
    polls: [{ status: 200, body: tokenBody(ISSUED.access, ISSUED.refresh) }],
  });
  try {
    const configDir = await tempConfigDir();
    const ably = (...args: string[]) => spawnCli(args, { configDir });

    const first = await ably("accounts", "login", "--json", ...hostFlags(server));
    assert.equal(first.code, 0, first.stdout);
    const second = await ably("login", "--alias", "second", "--json", ...hostFlags(server));
    assert.equal(second.code, 0, second.stdout);

    const list = await ably("accounts", "list", "--json");
    const listed = list.records().find((r) => r.type === "result") as {
      accounts: { alias: string; isCurrent: boolean }[];
      currentAccount: string;
    };
    assert.deepEqual(listed.accounts.map((a) => [a.alias, a.isCurrent]), [
      ["test-account", false],
      ["second", true],
    ]);

    const switched = await ably("accounts", "switch", "test-account");
    assert.equal(switched.code, 0, switched.stderr);
    assert.match(switched.stderr, /✓ Switched to account Test Account \(VgQpOZ\)\./);

    const current = await ably("accounts", "current");
    assert.equal(current.code, 0);
    assert.match(current.stdout, /^Account: Test Account \(VgQpOZ\)\nUser: jane@acme\.example\n/);

    // Both aliases share one OAuth session (same user, same issuer): the first
    // logout keeps the tokens alive for the other alias, the last one revokes them.
    const out1 = await ably("accounts", "logout", "--force", "--json");
    assert.equal(out1.code, 0);
    assert.equal(server.to("/oauth/revoke").length, 0);
    const out2 = await ably("accounts", "logout", "second", "--force", "--json");
    assert.equal(out2.code, 0);
    assert.deepEqual(
      server.to("/oauth/revoke").map((r) => r.form.token).sort(),
      [ISSUED.access, ISSUED.refresh].sort(),
    );
    assert.equal(await readConfigText(configDir), "[accounts]\n[current]\n");
    assert.deepEqual(Object.keys(parseConfig(await readConfigText(configDir), "c").accounts!), []);
  } finally {
    await server.close();
  }
});
