/**
 * `deno task install` (scripts/install.ts): the Deno floor, npx's temporary deno, PATH checks,
 * and the installed command: frozen to the checkout's lock, from Deno's cache only, so that it
 * starts with every registry unreachable and never asks one.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import {
  cmdLauncher,
  comparablePath,
  installBinDir,
  isNpxPath,
  isOnPath,
  launcherArgs,
  meetsFloor,
  MIN_DENO,
  rootArg,
  shLauncher,
} from "./install.ts";
import { decoder, npmRegistry, rootPath } from "./stubs.ts";

const INSTALL_SCRIPT = fromFileUrl(new URL("./install.ts", import.meta.url));
const INSTALL_FLAGS = [
  "run",
  "--allow-read",
  "--allow-write",
  "--allow-env=PATH,HOME,USERPROFILE,DENO_INSTALL_ROOT",
  "--allow-run",
];

/** The real Deno cache (the npm packages are there): a fake HOME must not send deno online. */
async function realDenoDir(): Promise<string> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  return JSON.parse(decoder.decode(info.stdout)).denoDir;
}

Deno.test("install: the Deno floor, npx paths, PATH entries compared per OS", () => {
  assert.equal(MIN_DENO, "2.6.0");
  for (const v of ["2.6.0", "2.9.6", "2.10.0", "3.0.0", "2.6.1-rc.1"]) assert.ok(meetsFloor(v), v);
  for (const v of ["2.5.9", "2.0.0", "1.46.3", "x"]) assert.ok(!meetsFloor(v), v);
  assert.ok(isNpxPath("/home/u/.npm/_npx/1a2b/node_modules/.bin/deno"));
  assert.ok(
    isNpxPath("C:\\Users\\u\\AppData\\Local\\npm-cache\\_npx\\1a2b\\node_modules\\.bin\\deno.cmd"),
  );
  assert.ok(!isNpxPath("/home/u/.deno/bin/deno"));
  assert.ok(isOnPath("C:\\Users\\u\\.deno\\bin", "C:\\Windows;c:/users/u/.deno/bin/", true));
  assert.ok(isOnPath("C:/Users/u/.deno/bin", "C:\\Users\\U\\.deno\\bin\\;C:\\Windows", true));
  assert.ok(!isOnPath("/home/u/.deno/bin", "/usr/bin:/home/U/.deno/bin", false));
  assert.ok(isOnPath("/home/u/.deno/bin", "/usr/bin:/home/u/.deno/bin/", false));
  assert.equal(comparablePath("/", false), "/");
});

Deno.test("install: the launcher runs the checkout's main.ts frozen to its lock, from the cache only", () => {
  assert.equal(rootArg([]), undefined);
  assert.equal(rootArg(["--root", "/opt/x"]), "/opt/x");
  assert.equal(rootArg(["--root=/opt/y"]), "/opt/y");
  assert.throws(() => rootArg(["--force"]), /usage: deno task install \[--root DIR\]/);
  if (Deno.build.os !== "windows") {
    assert.equal(installBinDir(["--root", "/opt/x/"], () => undefined), "/opt/x/bin");
    assert.equal(installBinDir([], (n) => ({ HOME: "/h" })[n]), "/h/.deno/bin");
    assert.equal(installBinDir([], (n) => ({ DENO_INSTALL_ROOT: "/r", HOME: "/h" })[n]), "/r/bin");
  }
  const args = launcherArgs("/co/", ["-q", "--allow-read"]);
  assert.deepEqual(args, [
    "run",
    "--frozen",
    "--cached-only",
    "--config",
    "/co/deno.json",
    "--lock",
    "/co/deno.lock",
    "-q",
    "--allow-read",
    "/co/main.ts",
  ]);
  const sh = shLauncher("/it's/", launcherArgs("/it's/", []));
  assert.match(sh, /^#!\/bin\/sh\n/);
  assert.match(sh, /\nDENO_NO_UPDATE_CHECK=1 exec deno 'run' '--frozen' '--cached-only' /);
  assert.match(sh, / '--lock' '\/it'\\''s\/deno\.lock' '\/it'\\''s\/main\.ts' "\$@"\n$/);
  const cmd = cmdLauncher("C:\\100%\\", launcherArgs("C:\\100%\\", []));
  assert.match(cmd, /\r\n@setlocal\r\n@set "DENO_NO_UPDATE_CHECK=1"\r\n@deno "run" "--frozen" /);
  assert.match(cmd, / "C:\\100%%\\main\.ts" %\*\r\n$/);
});

Deno.test("deno task install: never from npx's temporary deno, never with a Deno below the floor", async () => {
  const home = await Deno.makeTempDir({ prefix: "ably-install-" });
  const npxBin = `${home}/.npm/_npx/5c2d/node_modules/.bin`;
  const durable = `${home}/durable`;
  const old = `${home}/old`;
  await Deno.mkdir(npxBin, { recursive: true });
  await Deno.mkdir(durable);
  await Deno.mkdir(old);
  await Deno.symlink(Deno.execPath(), `${npxBin}/deno`);
  await Deno.symlink(Deno.execPath(), `${durable}/deno`);
  await Deno.writeTextFile(`${old}/deno`, "#!/bin/sh\necho 'deno 2.5.6 (stable, release)'\n", {
    mode: 0o755,
  });
  // As under `npx deno task install`: npx's .bin first on PATH, a fresh HOME.
  const run = (path: string) =>
    timed(Deno.execPath(), [...INSTALL_FLAGS, INSTALL_SCRIPT], {
      PATH: path,
      HOME: home,
      DENO_DIR: denoDir,
      ...(registry ? { NPM_CONFIG_REGISTRY: registry } : {}),
    });
  const installed = `${home}/.deno/bin/ably`;
  const denoDir = await realDenoDir();
  const registry = await npmRegistry();
  try {
    const nothing = await run(home);
    assert.equal(nothing.code, 1);
    assert.match(nothing.err, /there is no `deno` on your PATH/);

    const npxOnly = await run(npxBin);
    assert.equal(npxOnly.code, 1, npxOnly.out);
    assert.match(npxOnly.err, /the only `deno` on your PATH is npx's temporary one \(.*_npx/);
    assert.match(npxOnly.err, /npm install -g deno@/);
    await assert.rejects(Deno.stat(installed), Deno.errors.NotFound);

    const tooOld = await run(`${npxBin}:${old}`);
    assert.equal(tooOld.code, 1, tooOld.out);
    assert.match(tooOld.err, /which is Deno 2\.5\.6; ably needs 2\.6\.0 or newer/);
    await assert.rejects(Deno.stat(installed), Deno.errors.NotFound);

    const ok = await run(`${npxBin}:${durable}`);
    assert.equal(ok.code, 0, ok.err);
    assert.match(
      ok.out,
      new RegExp(`Installed ably in ${home}/\\.deno/bin/ably \\(using ${durable}/deno, Deno `),
    );
    assert.match(ok.out, /keep the checkout where it is/);
    assert.match(ok.out, /is not on your PATH/);
    // The installed command runs `deno` by name (the durable one in the next shell), on the
    // checkout's own config and lock, frozen, from the cache only.
    const launcher = await Deno.readTextFile(installed);
    assert.match(launcher, /^DENO_NO_UPDATE_CHECK=1 exec deno 'run' '--frozen' '--cached-only' /m);
    assert.ok(
      launcher.includes(` '--config' '${rootPath}deno.json' '--lock' '${rootPath}deno.lock' `),
    );
    assert.ok(launcher.includes(` '${rootPath}main.ts' "$@"`));
    // No config or lock of its own next to it (`deno install -g` made one, which then drifted).
    await assert.rejects(Deno.stat(`${home}/.deno/bin/.ably`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

/**
 * A stand-in for every registry and for Deno's own downloads: HTTP(S)_PROXY and ALL_PROXY point
 * here, so any request Deno makes (npm metadata or tarballs, its update check) arrives here
 * instead of leaving the machine. Each is recorded and refused at once.
 */
function unreachable() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: string[] = [];
  const served = (async () => {
    for await (const conn of listener) {
      const buffer = new Uint8Array(1024);
      const read = await conn.read(buffer).catch(() => null);
      requests.push(read ? decoder.decode(buffer.subarray(0, read)).split("\r\n")[0] : "(opened)");
      await conn.write(
        new TextEncoder().encode("HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\n\r\n"),
      )
        .catch(() => {});
      conn.close();
    }
  })().catch(() => {});
  const url = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
  const env: Record<string, string> = {};
  for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"]) {
    env[name] = url;
    env[name.toLowerCase()] = url;
  }
  return {
    env,
    requests,
    async close() {
      listener.close();
      await served;
    },
  };
}

interface Timed {
  code: number;
  out: string;
  err: string;
  ms: number;
}

async function timed(command: string, args: string[], env: Record<string, string>, cwd?: string) {
  const started = performance.now();
  const output = await new Deno.Command(command, {
    args,
    env,
    cwd,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // A start that waits on the network would hang here (or retry): this deadline names it.
    signal: AbortSignal.timeout(60_000),
  }).output();
  return {
    code: output.code,
    out: decoder.decode(output.stdout),
    err: decoder.decode(output.stderr),
    ms: performance.now() - started,
  } satisfies Timed;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A unix socket at `path` that closes every connection at once (a child holds it open). */
function hangingUpSocket(path: string): { ready: Promise<void>; close(): Promise<void> } {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `for await (const c of Deno.listen({ transport: "unix", path: ${
        JSON.stringify(path)
      } })) c.close();`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const ready = (async () => {
    for (let waited = 0; waited < 10_000; waited += 20) {
      if (await Deno.stat(path).then((info) => info.isSocket, () => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no socket at ${path} after 10 s`);
  })();
  return {
    ready,
    async close() {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

Deno.test("deno task install: the installed ably starts with every registry unreachable and asks none", async () => {
  const home = await Deno.makeTempDir({ prefix: "ably-install-offline-" });
  const registry = unreachable();
  let hangUp: ReturnType<typeof hangingUpSocket> | undefined;
  try {
    const durable = `${home}/durable`;
    await Deno.mkdir(durable);
    await Deno.symlink(Deno.execPath(), `${durable}/deno`);
    const base: Record<string, string> = {
      PATH: `${durable}:/usr/bin:/bin`,
      HOME: home,
      DENO_DIR: await realDenoDir(),
    };
    const npm = await npmRegistry();
    if (npm) base.NPM_CONFIG_REGISTRY = npm;
    const install = await timed(
      Deno.execPath(),
      [...INSTALL_FLAGS, INSTALL_SCRIPT, "--root", `${home}/root`],
      base,
    );
    assert.equal(install.code, 0, install.err);
    const ably = `${home}/root/bin/ably`;

    await Deno.mkdir(`${home}/config`);
    await Deno.writeTextFile(
      `${home}/config/config`,
      '[accounts.offline]\naccountId = "offline-id"\naccessToken = "offline-token"\n',
    );
    // A socket that hangs up on whoever connects, not a bus: the keychain module loads (from
    // the cache), and its D-Bus client then finds no Secret Service there.
    hangUp = hangingUpSocket(`${home}/not-a-bus`);
    await hangUp.ready;
    const env = {
      ...base,
      ...registry.env,
      ABLY_CLI_CONFIG_DIR: `${home}/config`,
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${home}/not-a-bus`,
    };
    const commands: [string, string[], (run: Timed) => void][] = [
      ["--version", ["--version"], (run) => {
        assert.equal(run.code, 0, run.err);
        assert.equal(run.out.trim(), denoJson.version);
      }],
      ["accounts list", ["accounts", "list", "--json"], (run) => {
        assert.equal(run.code, 0, run.err);
        assert.match(run.out, /"alias":"offline"/);
      }],
    ];
    // The keychain through its native module; not where it would reach the user's own keychain.
    if (Deno.build.os === "linux") {
      commands.push(["accounts keychain --prune", [
        "accounts",
        "keychain",
        "--prune",
        "--force",
        "--json",
      ], (run) => {
        assert.equal(run.code, 1, run.out + run.err);
        // The native module answered (its D-Bus client failed to connect): it was loaded.
        assert.match(run.out, /OS keychain .*zbus error/, run.out);
        assert.doesNotMatch(
          run.out + run.err,
          /could not be loaded|cached-only|not found in cache/,
        );
      }]);
    } else {
      console.log(`keychain step skipped on ${Deno.build.os}: it would open this user's keychain`);
    }
    const rows: string[] = [];
    for (const [label, args, check] of commands) {
      const installed: number[] = [];
      const task: number[] = [];
      for (let round = 0; round < 3; round++) {
        const run = await timed(ably, args, env);
        check(run);
        assert.doesNotMatch(run.err, /Download|registry/i, run.err);
        installed.push(run.ms);
        const fromSource = await timed(
          Deno.execPath(),
          ["task", "-q", "ably", ...args],
          env,
          rootPath,
        );
        check(fromSource);
        task.push(fromSource.ms);
      }
      rows.push(
        `  ${label.padEnd(26)} ${median(installed).toFixed(0).padStart(5)} ms  ${
          median(task).toFixed(0).padStart(5)
        } ms`,
      );
    }
    assert.deepEqual(registry.requests, [], "the installed ably asked the network at start-up");

    // With the cache gone, it still asks nothing: it stops at once and says why.
    const emptyCache = `${home}/empty-deno-dir`;
    await Deno.mkdir(emptyCache);
    const cold = await timed(ably, ["accounts", "list"], { ...env, DENO_DIR: emptyCache });
    assert.notEqual(cold.code, 0);
    assert.match(cold.err, /--cached-only/);
    assert.deepEqual(registry.requests, [], "with an empty cache, the installed ably went online");

    console.log(
      `registry unreachable (median of 3): installed ably vs deno task ably\n${rows.join("\n")}\n` +
        `  empty cache: refused in ${cold.ms.toFixed(0)} ms, no request`,
    );
  } finally {
    await hangUp?.close();
    await registry.close();
    await Deno.remove(home, { recursive: true });
  }
});
