import assert from "node:assert/strict";
import { CliError } from "../../src/errors.ts";
import { envelope, renderJson } from "../../src/output/json.ts";
import { type Format, formatHumanError } from "../../src/output/reporter.ts";
import { createStyle, stripAnsi } from "../../src/output/style.ts";
import { captureReporter } from "../helpers/reporter.ts";

function capture(format: Format, verbose = false) {
  return captureReporter({ format, verbose });
}

Deno.test("json: envelope order is type, command, success, payload; shadowing keys dropped", () => {
  assert.deepEqual(
    Object.keys(envelope("result", "x", { account: 1, type: "no", command: "no" })),
    ["type", "command", "success", "account"],
  );
  assert.deepEqual(envelope("error", "x", { success: true, a: 1 }), {
    type: "error",
    command: "x",
    success: false,
    a: 1,
  });
  assert.deepEqual(Object.keys(envelope("status", "x", { status: "completed" })), [
    "type",
    "command",
    "status",
  ]);
});

Deno.test("json: pretty output is indented, coloured only on request", () => {
  const value = { a: "s", n: 1, b: true, z: null };
  assert.equal(renderJson(value, false, true), '{"a":"s","n":1,"b":true,"z":null}');
  assert.equal(renderJson(value, true, false), JSON.stringify(value, null, 2));
  const coloured = renderJson(value, true, true);
  const esc = "\x1b[";
  assert.ok(coloured.includes(`${esc}37m"a"${esc}0m: ${esc}32m"s"${esc}0m`));
  assert.ok(coloured.includes(`${esc}35m1${esc}0m`));
  assert.ok(coloured.includes(`${esc}36mtrue${esc}0m`));
  assert.ok(coloured.includes(`${esc}31mnull${esc}0m`));
});

Deno.test("reporter: human mode splits data (stdout) from messages (stderr)", () => {
  const { out, stdout, stderr } = capture("human");
  out.print("data");
  out.result({ ignored: true });
  out.success("Done.");
  out.warning("Careful.");
  out.progress("Working");
  out.verbose("c", "e", "quiet unless verbose");
  out.completed(0);
  assert.deepEqual(stdout, ["data"]);
  assert.deepEqual(stderr, ["✓ Done.", "⚠ Careful.", "Working..."]);
});

Deno.test("reporter: JSON mode prints only records; warnings become status records", () => {
  const { out, stdout, stderr } = capture("json", true);
  out.print("human only");
  out.success("human only");
  out.warning("\x1b[33mCareful.\x1b[39m");
  out.verbose("config", "configFile", "Using x");
  out.result({ account: { alias: "a" } });
  out.completed(0);
  assert.deepEqual(stderr, []);
  const records = stdout.map((l) => JSON.parse(l));
  assert.deepEqual(records[0], {
    type: "status",
    command: "accounts:logout",
    status: "warning",
    message: "Careful.",
  });
  assert.equal(records[1].type, "log");
  assert.equal(records[1].component, "config");
  assert.deepEqual(records[2], {
    type: "result",
    command: "accounts:logout",
    success: true,
    account: { alias: "a" },
  });
  assert.deepEqual(records[3], {
    type: "status",
    command: "accounts:logout",
    status: "completed",
    exitCode: 0,
  });
});

Deno.test("reporter: errors as records (context before error) or wrapped text", () => {
  const error = new CliError("Bad thing.", { hint: "Try again.", context: { path: "/x" } });
  const json = capture("json");
  json.out.error(error);
  assert.equal(
    json.stdout[0],
    '{"type":"error","command":"accounts:logout","success":false,"path":"/x","error":{"message":"Bad thing.","hint":"Try again."}}',
  );
  const human = capture("human");
  human.out.error(error);
  assert.deepEqual(human.stderr, [" ›   Error: Bad thing.\n ›   Try again."]);
});

Deno.test("reporter: human errors wrap like oclif at columns - 6", () => {
  const text =
    'Error: Account "zzz" not found. Run "ably accounts list" to see available accounts.';
  assert.equal(
    formatHumanError(text, 80, createStyle(false)),
    ' ›   Error: Account "zzz" not found. Run "ably accounts list" to see available \n' +
      " ›   accounts.",
  );
});

Deno.test("reporter: on a terminal, warnings wrap between words with the text indented", () => {
  const { out, lines } = captureReporter({ columns: 40, wrapWarnings: true });
  out.warning("Failed to revoke access token (timed out after 5000ms); it may remain valid.");
  assert.deepEqual(lines[0].split("\n"), [
    "⚠ Failed to revoke access token (timed ",
    "  out after 5000ms); it may remain ",
    "  valid.",
  ]);
  for (const line of lines[0].split("\n")) assert.ok(line.length <= 40, line);
});

Deno.test("reporter: a protected secret never reaches a line, raw, in any case, percent- or base64-encoded", () => {
  const { out, lines } = captureReporter();
  const secret = "tok_SeCrEt_value/1";
  out.protect([secret]);
  out.print(`raw ${secret} upper ${secret.toUpperCase()}`);
  out.warning(`encoded ${encodeURIComponent(secret)} basic ${btoa(`client:${secret}`)}`);
  out.print(`form token=${secret}&x=1`);
  out.print("an ordinary line stays as it is");
  assert.deepEqual(lines, [
    "raw [redacted] upper [redacted]",
    "⚠ encoded [redacted] basic [redacted]",
    "form [redacted]&x=1",
    "an ordinary line stays as it is",
  ]);
});

Deno.test("reporter: a protected secret is redacted raw, in any case, percent-encoded or base64", () => {
  const secret = "ably~~~Secret/~~~42"; // encodes with %2F, and with + (or -) in base64
  const b64url = (text: string) => btoa(text).replaceAll("+", "-").replaceAll("/", "_");
  const cases: [line: string, shown: string][] = [
    [`raw ${secret}`, "raw [redacted]"],
    [`upper ${secret.toUpperCase()}`, "upper [redacted]"],
    [`encoded ${encodeURIComponent(secret)}`, "encoded [redacted]"],
    [`twice ${encodeURIComponent(encodeURIComponent(secret))}`, "twice [redacted]"],
    [`base64 ${btoa(secret)}`, "base64 [redacted]"],
    [`basic ${btoa(`client:${secret}`)}`, "basic [redacted]"],
    [`url-safe ${b64url(secret)}`, "url-safe [redacted]"],
    [`unpadded ${btoa(secret).replace(/=+$/, "")}`, "unpadded [redacted]"],
    // The shortest secret looked for (8 characters) is 12 in base64.
    [`short ${btoa("Sh0rtSec")}`, "short [redacted]"],
    // Look-alikes that decode to something else, or do not decode, are left as they are.
    ["percent %E0%A4%A broken", "percent %E0%A4%A broken"],
    [`other ${btoa("some-other-value")}`, `other ${btoa("some-other-value")}`],
    ["plain words of ordinary text", "plain words of ordinary text"],
    // Base64 letters of a length no base64 has (4n + 1): not decoded, left as they are.
    ["remainingAccounts abcdefghijklm=", "remainingAccounts abcdefghijklm="],
  ];
  assert.ok(b64url(secret) !== btoa(secret));
  const { out, stdout, stderr } = capture("human");
  out.protect([secret, "Sh0rtSec", undefined]);
  for (const [line] of cases) out.print(line);
  out.warning(`refresh failed for ${secret}`);
  assert.deepEqual(stdout, cases.map(([, shown]) => shown));
  assert.deepEqual(stderr, ["⚠ refresh failed for [redacted]"]);
  // Values too short to be credentials are not hunted for in ordinary text.
  const short = capture("human");
  short.out.protect(["short"]);
  short.out.print("a short story");
  assert.deepEqual(short.stdout, ["a short story"]);
});

Deno.test("reporter: --verbose in JSON mode logs a fatal error before its error record", () => {
  const { out, stdout } = capture("json", true);
  out.error(new CliError("Bad thing.", { component: "accountLogin" }));
  const [log, error] = stdout.map((line) => JSON.parse(line));
  assert.equal(log.type, "log");
  assert.equal(log.component, "accountLogin");
  assert.equal(log.event, "fatalError");
  assert.equal(log.message, "Error: Bad thing.");
  assert.equal(log.error, "Bad thing.");
  assert.deepEqual(error.error, { message: "Bad thing." });
  const human = capture("human", true);
  human.out.error(new CliError("Bad thing."));
  assert.deepEqual(human.stderr, [" ›   Error: Bad thing."]);
});

Deno.test("reporter: an error or a warning with control characters is wrapped as shown (each as \\uXXXX), no line wider than the terminal", () => {
  const { out, stderr } = captureReporter({ columns: 40 });
  const message =
    `Bad name \x1b[2J\x1b[2J\x1b[2J from the server, and more words after it to wrap.`;
  out.error(new CliError(message));
  const lines = stderr.join("\n").split("\n");
  assert.ok(lines.length > 1, JSON.stringify(lines));
  for (const line of lines) assert.ok(line.length <= 40, `${line.length}: ${JSON.stringify(line)}`);
  assert.ok(stderr.join("").includes("\\u001b[2J"), JSON.stringify(stderr));
  // A warning the same way.
  const warned = captureReporter({ columns: 40, wrapWarnings: true });
  warned.out.warning(message);
  const warnedLines = warned.stderr.join("\n").split("\n");
  assert.ok(warnedLines.length > 1, JSON.stringify(warnedLines));
  for (const line of warnedLines) {
    assert.ok(line.length <= 40, `${line.length}: ${JSON.stringify(line)}`);
  }
});

Deno.test("reporter: a line that fills the width exactly ends at its word, without a trailing space", () => {
  const style = createStyle(false);
  // 74 = 80 - 6 columns for the text: "aaaa…a" (73) + " " fills it, then the next word breaks.
  const exact = `${"a".repeat(69)} bbbb cc`;
  assert.deepEqual(formatHumanError(exact, 80, style).split("\n"), [
    ` ›   ${"a".repeat(69)} bbbb`,
    " ›   cc",
  ]);
  // One column to spare: the space fits and is kept at the break, as oclif keeps it.
  assert.deepEqual(formatHumanError(`${"a".repeat(68)} bbbb cc`, 80, style).split("\n"), [
    ` ›   ${"a".repeat(68)} bbbb `,
    " ›   cc",
  ]);
});

Deno.test("reporter: a JSON record never carries a protected secret", () => {
  const { out, stdout } = capture("json");
  out.protect(["ably_oat_jsonrecordsecret"]);
  out.result({ account: { name: "ably_oat_jsonrecordsecret" } });
  assert.equal(stdout.length, 1);
  assert.ok(!stdout[0].includes("ably_oat_jsonrecordsecret"), stdout[0]);
  assert.match(stdout[0], /\[redacted\]/);
});

Deno.test("reporter: the revealed value is shown, every other protected secret in its record is not", () => {
  const { out, stdout } = capture("json");
  out.protect(["ably_oat_revealedvalue1", "ably_ort_othersecret22"]);
  out.revealed(["ably_oat_revealedvalue1"], ["ably_oat_revealedvalue1"], {
    token: "ably_oat_revealedvalue1",
    note: "ably_ort_othersecret22",
  });
  assert.equal(stdout.length, 1);
  assert.ok(stdout[0].includes("ably_oat_revealedvalue1"), stdout[0]);
  assert.ok(!stdout[0].includes("ably_ort_othersecret22"), stdout[0]);
});

Deno.test("reporter: a secret with characters no word is made of (@, !, a space) is redacted too, in any case and percent-encoded", () => {
  const { out, lines } = captureReporter();
  const secrets = ["at_jane@acme.example_SeCrEt", "pass phrase!SeCrEt"];
  out.protect(secrets);
  out.print(`name ${secrets[0]} upper ${secrets[0].toUpperCase()}`);
  out.warning(`echoed ${encodeURIComponent(secrets[1])} and (${secrets[1]})`);
  out.print("jane@acme.example alone is not a secret");
  assert.deepEqual(lines, [
    "name [redacted] upper [redacted]",
    "⚠ echoed [redacted] and ([redacted])",
    "jane@acme.example alone is not a secret",
  ]);
});

Deno.test("reporter: a secret at the start of a painted segment, or JSON-escaped, is redacted too", () => {
  const { out, lines } = captureReporter({ color: true });
  const secret = "plainSecretToken123";
  const odd = 'ab"c\\defghijk12';
  out.protect([secret, odd]);
  out.print(`cyan ${out.style.cyan(secret)} escaped ${JSON.stringify(odd)}`);
  assert.deepEqual(lines.map(stripAnsi), ['cyan [redacted] escaped "[redacted]"']);
});

Deno.test("reporter: colour is decided per stream: stdout on a terminal keeps its styles, a redirected stderr gets none", () => {
  const { out: reporter, stdout: out, stderr: err } = captureReporter({
    color: true,
    stderrColor: false,
  });
  reporter.print(`Account: ${reporter.style.cyan("Acme")}`);
  reporter.success(`Switched to account ${reporter.style.cyan("Acme")}.`);
  reporter.warning("Careful.");
  assert.deepEqual(out, ["Account: \x1b[36mAcme\x1b[39m"]);
  assert.deepEqual(err, ["✓ Switched to account Acme.", "⚠ Careful."]);
});

Deno.test("reporter: several revealed values on their own lines, with a secret inside one (an API key's secret part) shown too; other secrets still redacted", () => {
  const { out, stdout } = capture("human");
  out.protect(["ably_oat_revealedvalue1", "s3cr3tS3cr3t", "ably_ort_othersecret22"]);
  out.revealed(
    ["ably_oat_revealedvalue1", "aBcDeF.kEy123:s3cr3tS3cr3t"],
    [
      "export A='ably_oat_revealedvalue1'",
      "export B='aBcDeF.kEy123:s3cr3tS3cr3t' # not ably_ort_othersecret22",
    ],
    {},
  );
  assert.deepEqual(stdout, [
    "export A='ably_oat_revealedvalue1'",
    "export B='aBcDeF.kEy123:s3cr3tS3cr3t' # not [redacted]",
  ]);
});

Deno.test("reporter: secrets of 8 characters or more are redacted; shorter ones are not credentials and are left in the text, in every form", () => {
  const { out, stdout } = capture("human");
  const seven = "Sec7Tok";
  const eight = "Sec8Toke";
  assert.equal(seven.length, 7);
  assert.equal(eight.length, 8);
  const forms = (secret: string) =>
    `alone ${secret} form token=${secret} basic ${
      btoa(`client:${secret}`)
    } upper ${secret.toUpperCase()}`;
  out.protect([seven, eight, "ab@cdef"]);
  out.print(forms(eight));
  out.print(`${forms(seven)} odd ab@cdef`);
  assert.deepEqual(stdout, [
    "alone [redacted] form [redacted] basic [redacted] upper [redacted]",
    `${forms(seven)} odd ab@cdef`,
  ]);
});
