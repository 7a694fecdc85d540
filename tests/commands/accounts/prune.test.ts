/**
 * `ably accounts keychain --prune`, in process on a fake keychain: what each kind of
 * orphaned item gets (revoked at its issuer, legacy, no issuer, unreadable secret), items
 * that an account took or that vanished while the user was asked, failures said as such.
 */
import assert from "node:assert/strict";
import { withAblyServer } from "../../helpers/ably-server.ts";
import { configFileIn, resultOf, runCli, tempConfigDir, unwrapped } from "../../helpers/cli.ts";
import { FakeKeychain } from "../../helpers/fake-keychain.ts";
import { accessTokenOf, buildConfig, refreshTokenOf } from "../../helpers/fixtures.ts";

const NS = "0123456789ab";
/** This config's item name for `name`. */
const ours = (name: string) => `cfg-${NS}:${name}`;
/** A config whose keychain accounts the official CLI logged out: it kept the namespace. */
const inNamespace = (config: string) => `credentialNamespace = "${NS}"\n\n${config}`;
const FILED = inNamespace(buildConfig([{ alias: "filed" }], "filed"));

function tokensOf(email: string): string {
  return JSON.stringify({ accessToken: accessTokenOf(email), refreshToken: refreshTokenOf(email) });
}

Deno.test("accounts keychain --prune --json without --force: refused before the keychain is opened, nothing deleted", async () => {
  const keychain = new FakeKeychain({ "account:old": tokensOf("old@example.com") });
  const dir = await tempConfigDir(FILED);
  const run = await runCli(["accounts", "keychain", "--prune", "--json"], {
    configDir: dir,
    keychain,
  });
  assert.equal(run.code, 1);
  assert.equal(
    resultOf(run.records()).error.message,
    "The --force flag is required when using --json to prune keychain items",
  );
  assert.deepEqual(keychain.calls, []);
  assert.equal(keychain.items.size, 1);
});

Deno.test("accounts keychain --prune (human): each kind of item is said as what happened to it; only real tokens go to the issuer", async () => {
  await withAblyServer({}, async (server) => {
    const revocable = ours(`session:jane@acme.example::${server.host}`);
    const unreadable = ours(`session:bad@acme.example::${server.host}`);
    const keychain = new FakeKeychain({
      [ours("token:old")]: JSON.stringify({ accessToken: "legacy_old_SeCrEt" }),
      [ours("key:gone:aBcDeF")]: JSON.stringify({ apiKey: "aBcDeF.k:gone_SeCrEt" }),
      [ours("session:no-issuer")]: tokensOf("no-issuer@example.com"),
      [ours("session:empty-issuer@example.com::")]: tokensOf("empty@example.com"),
      [revocable]: tokensOf("jane@acme.example"),
      [unreadable]: "not JSON at all",
    });
    const dir = await tempConfigDir(FILED);
    const run = await runCli(["accounts", "keychain", "--prune"], {
      configDir: dir,
      keychain,
      replies: ["yes"],
      columns: 1000,
    });
    assert.equal(run.code, 0, run.stderr);
    const said = unwrapped(run.stdout + run.stderr);
    assert.match(
      said,
      new RegExp(`6 keychain items \\(service ably-cli-deno\\) no account in .*config uses:`),
    );
    assert.ok(
      said.includes(
        `Deleted keychain item ${
          ours("token:old")
        }.\n⚠ Its token was not revoked: an access token given at login cannot be revoked by the CLI`,
      ),
      said,
    );
    assert.ok(
      said.includes(
        `Deleted keychain item ${
          ours("key:gone:aBcDeF")
        }, a copy of an app's API key (the key itself stays valid).`,
      ),
      said,
    );
    for (const item of [ours("session:no-issuer"), ours("session:empty-issuer@example.com::")]) {
      assert.ok(said.includes(`Deleted keychain item ${item}.`), said);
    }
    assert.equal(said.match(/the item's name records no issuer to send them to/g)?.length, 2);
    assert.ok(said.includes(`Revoked the tokens of keychain item ${revocable} and deleted it.`));
    assert.ok(said.includes(`Revoked the tokens of keychain item ${unreadable} and deleted it.`));
    // Only the item whose secret held tokens sent any: both of them, once each.
    assert.deepEqual(
      server.revoked(),
      [
        accessTokenOf("jane@acme.example"),
        refreshTokenOf("jane@acme.example"),
      ].sort(),
    );
    assert.deepEqual([...keychain.items.keys()], []);
  });
});

Deno.test("accounts keychain --prune: an item an account took, or one deleted, while the user was asked is kept or said gone, not revoked", async () => {
  await withAblyServer({}, async (server) => {
    const taken = ours(`session:taken@example.com::${server.host}`);
    const vanished = ours(`session:vanished@example.com::${server.host}`);
    const keychain = new FakeKeychain({
      [taken]: tokensOf("taken@example.com"),
      [vanished]: tokensOf("vanished@example.com"),
    });
    const dir = await tempConfigDir(FILED);
    // A concurrent keychain login of "taken" (its session table marked, no tokens in the file).
    const withTaken = inNamespace(buildConfig([
      { alias: "filed" },
      { alias: "taken", issuer: server.host, email: "taken@example.com" },
    ], "filed"))
      .replace(`accessToken = "${accessTokenOf("taken@example.com")}"\n`, "")
      .replace(
        `refreshToken = "${refreshTokenOf("taken@example.com")}"\n`,
        'credentialStore = "keychain"\n',
      );
    const human = await runCli(["accounts", "keychain", "--prune"], {
      configDir: dir,
      keychain,
      columns: 1000,
      replies: [async () => {
        await Deno.writeTextFile(configFileIn(dir), withTaken);
        keychain.items.delete(vanished);
        return "yes";
      }],
    });
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      new RegExp(`Kept keychain item ${taken}: an account uses it now\\.`),
    );
    assert.match(human.stdout, new RegExp(`Keychain item ${vanished} was already gone\\.`));
    assert.deepEqual(server.revoked(), []);
    assert.deepEqual([...keychain.items.keys()], [taken]);
  });
});

Deno.test("accounts keychain --prune: one orphan is asked about in the singular; two failed revocations keep both, said in the plural (exit 1)", async () => {
  await withAblyServer({ revoke: { status: 503 } }, async (server) => {
    const first = ours(`session:first@example.com::${server.host}`);
    const second = ours(`session:second@example.com::${server.host}`);
    const keychain = new FakeKeychain({ [first]: tokensOf("first@example.com") });
    const dir = await tempConfigDir(FILED);
    const no = await runCli(["accounts", "keychain", "--prune"], {
      configDir: dir,
      keychain,
      replies: ["no"],
    });
    assert.equal(no.code, 0, no.stderr);
    assert.match(unwrapped(no.stderr), /1 keychain item \(service ably-cli-deno\) no account/);
    assert.match(no.stderr, /Prune cancelled\./);

    keychain.items.set(second, tokensOf("second@example.com"));
    const failed = await runCli(["accounts", "keychain", "--prune", "--force", "--json"], {
      configDir: dir,
      keychain,
    });
    assert.equal(failed.code, 1);
    const records = failed.records();
    assert.deepEqual(
      resultOf(records).items.map((item: { kept?: string }) => item.kept),
      ["revocation-failed", "revocation-failed"],
    );
    const error = records.find((record) => record.type === "error")!;
    assert.equal(
      (error.error as { message: string }).message,
      `2 keychain items were kept because revoking their tokens failed: ${first}, ${second}.`,
    );
    assert.deepEqual(error.kept, [first, second]);
    assert.deepEqual([...keychain.items.keys()].sort(), [first, second]);
  });
});

Deno.test("accounts keychain --prune: a keychain that cannot list its items fails with the cause and the fix, nothing deleted", async () => {
  const keychain = new FakeKeychain({ "account:old": tokensOf("old@example.com") });
  keychain.state = "locked";
  const dir = await tempConfigDir(FILED);
  const run = await runCli(["accounts", "keychain", "--prune", "--force"], {
    configDir: dir,
    keychain,
  });
  assert.equal(run.code, 1);
  assert.match(
    unwrapped(run.stderr),
    /Cannot list the items of the OS keychain \(service ably-cli-deno\): locked: .*unlock prompt was dismissed\. Unlock/,
  );
  assert.deepEqual(keychain.calls, ["list"]);
  assert.equal(keychain.items.size, 1);
});
