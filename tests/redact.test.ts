import assert from "node:assert/strict";
import { redact } from "../src/redact.ts";

const TOKEN = "Ab+c/d=e f~Tok_123.XYZ";

Deno.test("redact: the secret goes in every encoding a server may echo it in", () => {
  const forms = {
    raw: TOKEN,
    upper: TOKEN.toUpperCase(),
    lower: TOKEN.toLowerCase(),
    percent: encodeURIComponent(TOKEN),
    "percent, lower-case hex": encodeURIComponent(TOKEN).toLowerCase(),
    "form (+ for space)": new URLSearchParams({ t: TOKEN }).toString().slice(2),
    "double percent": encodeURIComponent(encodeURIComponent(TOKEN)),
    json: JSON.stringify(TOKEN),
    "json \\u escapes": JSON.stringify(TOKEN).replace(
      /[a-z]/g,
      (c) => `\\u00${c.charCodeAt(0).toString(16)}`,
    ),
    "json escaped slash": JSON.stringify(TOKEN).replaceAll("/", "\\/"),
    "letters and digits percent-encoded too": [...TOKEN].map((c) =>
      `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`
    ).join(""),
    "letters and digits percent-encoded twice": [...TOKEN].map((c) =>
      `%25${c.charCodeAt(0).toString(16).padStart(2, "0")}`
    ).join(""),
    base64: btoa(TOKEN),
    "base64 unpadded": btoa(TOKEN).replace(/=+$/, ""),
    base64url: btoa(TOKEN).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""),
  };
  for (const [name, form] of Object.entries(forms)) {
    const out = redact(`error: ${form} is not valid`, [TOKEN]);
    assert.ok(out.includes("[redacted]"), `${name}: ${out}`);
    assert.ok(!out.includes(form), `${name}: ${out}`);
    assert.ok(!/Tok_123|TOK_123|tok_123/i.test(out), `${name}: ${out}`);
  }
});

Deno.test("redact: base64 inside longer base64 (client:token) loses the token's part, for long and short tokens", () => {
  for (const prefix of ["c:", "cl:", "cli:"]) {
    // A 12-character token's offset encodings share a core of only 8 to 12 characters.
    for (const token of ["tok12345abcd", "tok1234567890abc"]) {
      const out = redact(`Basic ${btoa(prefix + token)}`, [token]);
      assert.ok(out.includes("[redacted]"), `${prefix}${token}: ${out}`);
    }
    const encoded = btoa(prefix + TOKEN);
    const out = redact(`Basic ${encoded}`, [TOKEN]);
    assert.ok(out.includes("[redacted]"), out);
    // At most the few characters mixing the prefix or padding with the token remain.
    assert.ok(out.replace("[redacted]", "").length <= "Basic ".length + 12, out);
  }
});

Deno.test("redact: generic token shapes are removed whatever their value", () => {
  assert.equal(
    redact(
      'Authorization: Bearer abc.def-ghi; {"refresh_token":"zzz","x":1} token=q&access_token=p',
    ),
    'Authorization: Bearer [redacted]; {"refresh_token":"[redacted]","x":1} token=[redacted]&access_token=[redacted]',
  );
  assert.equal(redact('\\"access_token\\": \\"rr\\"'), '\\"access_token\\": \\"[redacted]\\"');
  assert.equal(redact("access_token%3Dabc"), "access_token%3D[redacted]");
  assert.equal(
    redact("grant_type=refresh_token&refresh_token=rt1&x=refresh_token%3Drt2"),
    "grant_type=refresh_token&refresh_token=[redacted]&x=refresh_token%3D[redacted]",
  );
});

Deno.test("redact: ordinary text, short or absent secrets and repeated runs are left alone", () => {
  const text = "Invalid token: the token has expired (HTTP 401)";
  assert.equal(redact(text, ["", undefined, "t", "ok"]), text);
  const once = redact(`x ${TOKEN} Bearer y`, [TOKEN]);
  assert.equal(redact(once, [TOKEN]), once);
  assert.equal(once, "x [redacted] Bearer [redacted]");
});

Deno.test("redact: a secret is hunted from 4 characters on (shorter ones would shred ordinary words)", () => {
  const cases: [secret: string, redacted: boolean][] = [
    ["xyz", false],
    ["wxyz", true],
    ["vwxyz12", true],
    ["uvwxyz12", true],
  ];
  for (const [secret, redacted] of cases) {
    const text = `the server said ${secret} back`;
    assert.equal(
      redact(text, [secret], { shapes: false }),
      redacted ? "the server said [redacted] back" : text,
      secret,
    );
  }
});

Deno.test("redact: a secret's whole base64 goes, padding included, none of its ends left", () => {
  // 22 bytes: the encoding ends in "==" after a last partial group.
  const secret = "ably_oat_0123456789abc";
  assert.equal(redact(`x ${btoa(secret)} y`, [secret]), "x [redacted] y");
});

Deno.test("redact: a secret's base64url form (- and _ for + and /) goes", () => {
  const secret = "ab>?cd>?ef>?gh"; // its base64 holds "+" and "/"
  const standard = btoa(secret);
  assert.match(standard, /[+/]/);
  const url = standard.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  assert.equal(redact(`x ${url} y`, [secret]), "x [redacted] y");
});

Deno.test("redact: a bearer token after a space, several spaces, %20 or + (form and URL encodings) goes, in any case", () => {
  const forms: [string, string][] = [
    ["Authorization: Bearer abc.def-ghi", "Authorization: Bearer [redacted]"],
    ["Bearer \t abc.def-ghi", "Bearer \t [redacted]"],
    ["auth=Bearer%20abc.def-ghi&x=1", "auth=Bearer%20[redacted]&x=1"],
    ["auth=bearer+abc.def-ghi&x=1", "auth=bearer+[redacted]&x=1"],
    ["BEARER%20abc.def-ghi", "BEARER%20[redacted]"],
  ];
  for (const [text, shown] of forms) assert.equal(redact(text), shown, text);
  // Without the shapes (our own output), only the secrets given are removed.
  assert.equal(redact("Bearer%20abc.def-ghi", [], { shapes: false }), "Bearer%20abc.def-ghi");
});
