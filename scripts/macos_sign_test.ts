/** scripts/macos_sign.sh against stub codesign, security and xcrun notarytool; the entitlements. */
import assert from "node:assert/strict";
import { root, stubs } from "./stubs.ts";

const SECRETS = {
  MACOS_CERTIFICATE_P12: "AAAA",
  MACOS_CERTIFICATE_PASSWORD: "p12-password",
  MACOS_SIGNING_IDENTITY: "Developer ID Application: Example Ltd (TEAMID1234)",
  APPLE_ID: "dev@example.com",
  APPLE_TEAM_ID: "TEAMID1234",
  APPLE_APP_PASSWORD: "app-password",
};

/** macOS's tools as stubs: codesign keeps the entitlements it signed with; notarytool answers $NOTARY. */
const MACOS_STUBS = {
  uname: `echo Darwin`,
  uuidgen: `echo 00000000-0000-0000-0000-000000000000`,
  security: `exit 0`,
  ditto: `: >"\${@: -1}"`,
  codesign: `
if [[ $1 == -d ]]; then cat "$STUB/entitlements" 2>/dev/null; exit 0; fi
while [[ $# -gt 0 ]]; do
  if [[ $1 == --entitlements ]]; then cp "$2" "$STUB/entitlements"; fi
  shift
done`,
  xcrun: `
if [[ $1 == notarytool && $2 == submit ]]; then printf '%s\\n' "$NOTARY"; exit 0; fi
if [[ $1 == notarytool && $2 == log ]]; then echo "notary log of $3: The binary is not signed."; exit 0; fi
exit 1`,
};

Deno.test("macos_sign.sh: no secrets skips with a notice; some secrets fail, naming the missing", async () => {
  const stub = await stubs(MACOS_STUBS);
  try {
    const binary = `${stub.dir}/ably`;
    await Deno.writeTextFile(binary, "binary");
    const none = await stub.run(["scripts/macos_sign.sh", binary]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /::notice::macOS signing skipped/);
    assert.deepEqual(none.calls, []);

    const { APPLE_APP_PASSWORD: _, APPLE_ID: __, ...partial } = SECRETS;
    const some = await stub.run(["scripts/macos_sign.sh", binary], partial);
    assert.equal(some.code, 1);
    assert.match(some.stderr, /partly configured: set APPLE_ID APPLE_APP_PASSWORD too/);
    assert.ok(!some.calls.some((call) => call.startsWith("codesign")), some.calls.join("\n"));
  } finally {
    await stub.done();
  }
});

Deno.test("macos_sign.sh: signs with the entitlements; only an Accepted notarization passes", async () => {
  const stub = await stubs(MACOS_STUBS);
  try {
    const binary = `${stub.dir}/ably`;
    await Deno.writeTextFile(binary, "binary");
    const accepted = await stub.run(["scripts/macos_sign.sh", binary], {
      ...SECRETS,
      NOTARY: '{"id":"sub-1","message":"Processing complete","status":"Accepted"}',
    });
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stdout, /signed and notarized: .*\(submission sub-1\)/);
    const sign = accepted.calls.find((call) => call.startsWith("codesign --force"));
    assert.match(sign ?? "", /--options runtime --entitlements \S+entitlements\.plist/);
    assert.ok(
      accepted.calls.some((call) => /notarytool submit .* --output-format json/.test(call)),
    );

    for (const status of ["Invalid", "In Progress", "Rejected"]) {
      const rejected = await stub.run(["scripts/macos_sign.sh", binary], {
        ...SECRETS,
        NOTARY: JSON.stringify({ id: "sub-2", message: "Processing complete", status }),
      });
      assert.equal(rejected.code, 1, `${status}: ${rejected.stdout}`);
      assert.match(rejected.stderr, new RegExp(`status '${status}', not Accepted`));
      assert.match(rejected.stderr, /notary log of sub-2/);
    }
  } finally {
    await stub.done();
  }
});

Deno.test("macos_sign.sh: a signature without disable-library-validation fails", async () => {
  const stub = await stubs({
    ...MACOS_STUBS,
    codesign:
      `[[ $1 == -d ]] && echo '<plist><dict><key>com.apple.security.cs.allow-jit</key></dict></plist>'; exit 0`,
  });
  try {
    const binary = `${stub.dir}/ably`;
    await Deno.writeTextFile(binary, "binary");
    const run = await stub.run(["scripts/macos_sign.sh", binary], {
      ...SECRETS,
      NOTARY: '{"id":"s","status":"Accepted"}',
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /lacks disable-library-validation/);
    assert.ok(!run.calls.some((call) => call.includes("notarytool submit")));
  } finally {
    await stub.done();
  }
});

Deno.test("entitlements: V8's JIT and library validation off (the keychain addon), nothing else", async () => {
  const plist = await Deno.readTextFile(new URL("packaging/macos/entitlements.plist", root));
  const keys = [...plist.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((m) => m[1]).sort();
  assert.deepEqual(keys, [
    "com.apple.security.cs.allow-jit",
    "com.apple.security.cs.allow-unsigned-executable-memory",
    "com.apple.security.cs.disable-library-validation",
  ]);
  assert.equal([...plist.matchAll(/<key>/g)].length, keys.length, "every key is <true/>");
  // Apple: an entitlements file holds no comments (they are read as part of the signature's
  // XML); the reasons live in RELEASING.md ("macOS signing").
  assert.doesNotMatch(plist, /<!--/, "no XML comment in the entitlements file");
  assert.match(plist, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist /);
});
