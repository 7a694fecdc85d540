/**
 * Opening the browser: only web addresses, and only through the OS opener found on PATH
 * (`xdg-open`, `open`, `rundll32` on Windows); here a stub opener that records what it was
 * asked to open.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { isWebAddress, openerCommand, OPENERS } from "../../src/platform/browser.ts";
import { hostFlags, withAblyServer } from "../helpers/ably-server.ts";
import { baseEnv, PERMISSIONS, spawnCli, tempConfigDir, tempDir } from "../helpers/cli.ts";

const isWindows = Deno.build.os === "windows";
const HELPER = fromFileUrl(new URL("../helpers/open_browser.ts", import.meta.url));

/**
 * A directory holding stub `xdg-open` and `open` that append their argument to `opened`,
 * then fail for URLs containing "fail"; or an empty directory (no opener installed).
 */
async function stubOpeners(installed = true): Promise<{ bin: string; opened: string }> {
  const bin = await tempDir("ably-opener-");
  const opened = `${bin}/opened.txt`;
  if (installed) {
    const script = `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n` +
      `case "$1" in *fail*) exit 1 ;; esac\nexit 0\n`;
    for (const name of ["xdg-open", "open"]) {
      await Deno.writeTextFile(`${bin}/${name}`, script, { mode: 0o755 });
    }
  }
  return { bin, opened };
}

async function openedBy(opened: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(opened)).split("\n").filter(Boolean);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** openBrowser for each URL in a process whose PATH holds only `bin`, with the `ably` task's permissions. */
async function openIn(bin: string, urls: string[]): Promise<boolean[]> {
  const dir = await tempConfigDir();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, HELPER, ...urls],
    env: { ...(await baseEnv(dir)), PATH: bin },
    clearEnv: true,
    stdout: "piped",
  }).output();
  assert.equal(output.code, 0);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

Deno.test("browser: only https, or http on loopback, counts as a web address", () => {
  const cases: [string, boolean][] = [
    ["https://ably.com/device?code=X", true],
    ["http://127.0.0.1:8080/device", true],
    ["http://localhost/device", true],
    ["http://ably.com/device", false],
    ["file:///etc/passwd", false],
    ["javascript:alert(1)", false],
    ["not a url", false],
    ["", false],
  ];
  for (const [text, expected] of cases) assert.equal(isWebAddress(text), expected, text);
});

Deno.test("browser: Windows opens through rundll32's URL handler, the URL one word, query kept", () => {
  const url = "https://ably.com/device?user_code=AB-CD&client=cli";
  assert.deepEqual(openerCommand("windows", url), [
    "rundll32",
    "url.dll,FileProtocolHandler",
    url,
  ]);
  // Spaces and quotes could split the command line: the normalised URL has none.
  assert.deepEqual(openerCommand("windows", 'https://ably.com/a b"c?x=1'), [
    "rundll32",
    "url.dll,FileProtocolHandler",
    "https://ably.com/a%20b%22c?x=1",
  ]);
  assert.deepEqual(openerCommand("darwin", url), ["open", url]);
  assert.deepEqual(openerCommand("linux", url), ["xdg-open", url]);
});

Deno.test("browser: the ably task may run exactly the openers, nothing else", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  const allowRun = /--allow-run=(\S+)/.exec(config.tasks.ably)?.[1]?.split(",") ?? [];
  assert.deepEqual(allowRun.toSorted(), [...OPENERS].toSorted());
  const used = new Set(
    (["darwin", "windows", "linux"] as const).map((os) => openerCommand(os, "https://a.b/")[0]),
  );
  assert.deepEqual([...used].toSorted(), [...OPENERS].toSorted());
});

Deno.test({
  name:
    "browser: the opener's exit status decides; anything but a web address is never handed over",
  ignore: isWindows,
}, async () => {
  const { bin, opened } = await stubOpeners();
  const urls = [
    "https://ably.example/device?code=OK",
    "https://ably.example/device?code=fail",
    "file:///etc/passwd",
    "http://ably.example/plain-http",
    "-not-a-url",
  ];
  assert.deepEqual(await openIn(bin, urls), [true, false, false, false, false]);
  assert.deepEqual(await openedBy(opened), [
    "https://ably.example/device?code=OK",
    "https://ably.example/device?code=fail",
  ]);
});

Deno.test({
  name: "browser: no opener installed is a false, not a crash",
  ignore: isWindows,
}, async () => {
  const { bin } = await stubOpeners(false);
  assert.deepEqual(await openIn(bin, ["https://ably.example/device"]), [false]);
});

Deno.test({
  name: "login with a display opens the verification URL in the browser, once",
  ignore: isWindows,
}, async () => {
  const { bin, opened } = await stubOpeners();
  await withAblyServer({}, async (server) => {
    const dir = await tempConfigDir();
    const run = await spawnCli(["accounts", "login", ...hostFlags(server)], {
      configDir: dir,
      env: { PATH: bin, DISPLAY: ":0" },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /Opening https:\/\/ably\.example\/device\?code=TEST-CODE in your browser\.\.\./,
    );
    assert.doesNotMatch(run.stderr, /Could not open a browser/);
    assert.deepEqual(await openedBy(opened), ["https://ably.example/device?code=TEST-CODE"]);
  });
});
