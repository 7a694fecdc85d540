/**
 * The config location follows Node's `os.homedir()` on each OS (what the official CLI uses),
 * tested here on any OS by passing the OS in.
 */
import assert from "node:assert/strict";
import {
  configLocation,
  homeDirectory,
  passwdHomeFor,
  type Platform,
} from "../../src/config/location.ts";
import {
  basenameOf,
  dirnameOf,
  isAbsolutePath,
  joinPath,
  resolvePath,
} from "../../src/config/paths.ts";
import { runCli, tempConfigDir } from "../helpers/cli.ts";
import { cannotRunAsUser, evalAsUser, sayWhySkipped } from "../helpers/as-user.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

function platform(os: string, extra: Partial<Platform> = {}): Platform {
  return {
    os,
    cwd: () => (os === "windows" ? "C:\\work\\repo" : "/work/repo"),
    passwdHome: () => {
      throw new Error("the user database was consulted");
    },
    ...extra,
  };
}

const WINDOWS = platform("windows");
const POSIX_OSES = ["linux", "darwin", "freebsd", "android"];

Deno.test("location: Windows takes USERPROFILE, never HOME (Git Bash, MSYS2 and Cygwin set HOME)", () => {
  const env = envOf({ HOME: "/c/Users/jane", USERPROFILE: "C:\\Users\\jane" });
  assert.deepEqual(configLocation(env, WINDOWS), {
    dir: "C:\\Users\\jane\\.ably",
    file: "C:\\Users\\jane\\.ably\\config",
  });
  // HOME alone is not enough on Windows, as for os.homedir().
  assert.equal(homeDirectory(envOf({ HOME: "/c/Users/jane" }), WINDOWS), undefined);
  assert.throws(
    () => configLocation(envOf({ HOME: "/c/Users/jane" }), WINDOWS),
    /set USERPROFILE, or ABLY_CLI_CONFIG_DIR/,
  );
  // Forward slashes become backslashes, as with path.win32.join.
  assert.equal(
    configLocation(envOf({ USERPROFILE: "D:/Profiles/jane/" }), WINDOWS).file,
    "D:\\Profiles\\jane\\.ably\\config",
  );
});

Deno.test("location: Windows profile on a UNC share", () => {
  const env = envOf({ USERPROFILE: "\\\\fileserver\\profiles\\jane" });
  assert.equal(configLocation(env, WINDOWS).file, "\\\\fileserver\\profiles\\jane\\.ably\\config");
  assert.equal(
    configLocation(envOf({ USERPROFILE: "//fileserver/profiles" }), WINDOWS).dir,
    "\\\\fileserver\\profiles\\.ably",
  );
});

Deno.test("location: other OSes take HOME, never USERPROFILE", () => {
  for (const os of POSIX_OSES) {
    const env = envOf({ HOME: "/home/jane", USERPROFILE: "C:\\Users\\jane" });
    assert.deepEqual(configLocation(env, platform(os)), {
      dir: "/home/jane/.ably",
      file: "/home/jane/.ably/config",
    }, os);
    assert.equal(
      configLocation(envOf({ HOME: "/Users/jane/" }), platform(os)).dir,
      "/Users/jane/.ably",
    );
  }
});

Deno.test("location: without HOME the user database decides (getpwuid's part that needs no permission)", () => {
  const fromPasswd = platform("linux", { passwdHome: () => "/var/lib/jane" });
  assert.equal(configLocation(envOf({}), fromPasswd).file, "/var/lib/jane/.ably/config");
  // An empty HOME counts as unset; USERPROFILE never counts.
  assert.equal(
    configLocation(envOf({ HOME: "", USERPROFILE: "C:\\x" }), fromPasswd).dir,
    "/var/lib/jane/.ably",
  );
  const nowhere = platform("darwin", { passwdHome: () => undefined });
  assert.throws(() => configLocation(envOf({}), nowhere), /set HOME, or ABLY_CLI_CONFIG_DIR/);
});

Deno.test("location: passwdHomeFor reads the home field of the uid's line", () => {
  const passwd = [
    "# comment",
    "root:x:0:0:root:/root:/bin/bash",
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
    "nohome:x:7:7:::/bin/sh",
    "jane:x:1000:1000:Jane,,,:/home/jane:/bin/zsh\r",
    "",
  ].join("\n");
  assert.equal(passwdHomeFor(passwd, 0), "/root");
  assert.equal(passwdHomeFor(passwd, 1000), "/home/jane");
  assert.equal(passwdHomeFor(passwd, 7), undefined);
  assert.equal(passwdHomeFor(passwd, 100), undefined);
});

Deno.test("location: passwdHomeFor matches the uid field, never the gid, where they differ", () => {
  const passwd = [
    "man:x:6:12:man:/var/cache/man:/usr/sbin/nologin",
    "mail:x:12:8:mail:/var/mail:/usr/sbin/nologin",
    "jane:x:1001:100:Jane:/home/jane:/bin/sh",
  ].join("\n");
  const cases: [uid: number, home: string | undefined][] = [
    [6, "/var/cache/man"],
    [12, "/var/mail"],
    [1001, "/home/jane"],
    [100, undefined], // only a gid
    [8, undefined],
  ];
  for (const [uid, home] of cases) assert.equal(passwdHomeFor(passwd, uid), home, `uid ${uid}`);
});

// A user whose uid and gid differ, and whose gid is no user's uid with a home, so a lookup by gid
// would find nothing.
const asUser = await cannotRunAsUser();
sayWhySkipped(asUser, "the user database lookup as another uid");
const switchable = asUser === undefined
  ? (() => {
    const users = Deno.readTextFileSync("/etc/passwd").split("\n").map((line) => line.split(":"))
      .filter((f) => f.length >= 7);
    return users.find((f) =>
      f[2] !== f[3] && f[5] && !users.some((other) => other[2] === f[3] && other[5])
    );
  })()
  : undefined;

Deno.test({
  name: "location: the user database lookup uses the process's uid where uid and gid differ",
  ignore: !switchable,
}, async () => {
  const [, , uid, gid, , home] = switchable!;
  const location = new URL("../../src/config/location.ts", import.meta.url);
  const run = await evalAsUser({
    uid: Number(uid),
    gid: Number(gid),
    modules: [location],
    script: (copied) =>
      `import { DENO_PLATFORM } from ${JSON.stringify(copied(location))};
      console.log(JSON.stringify(DENO_PLATFORM.passwdHome()));`,
  });
  assert.ok(run.success, new TextDecoder().decode(run.stderr));
  assert.equal(JSON.parse(new TextDecoder().decode(run.stdout)), home, `uid ${uid}, gid ${gid}`);
});

Deno.test("location: ABLY_CLI_CONFIG_DIR wins; a relative one resolves against the current directory", () => {
  const posix = platform("linux");
  const env = (dir: string) => envOf({ ABLY_CLI_CONFIG_DIR: dir, HOME: "/home/jane" });
  assert.equal(configLocation(env("/etc/ably"), posix).file, "/etc/ably/config");
  assert.equal(configLocation(env("cfg"), posix).dir, "/work/repo/cfg");
  assert.equal(configLocation(env("./a/../cfg/"), posix).dir, "/work/repo/cfg");
  assert.equal(configLocation(env("../../.."), posix).dir, "/");

  const env32 = (dir: string) => envOf({ ABLY_CLI_CONFIG_DIR: dir, USERPROFILE: "C:\\Users\\j" });
  assert.equal(configLocation(env32("E:\\ably"), WINDOWS).file, "E:\\ably\\config");
  assert.equal(configLocation(env32("cfg"), WINDOWS).dir, "C:\\work\\repo\\cfg");
  assert.equal(configLocation(env32("..\\cfg"), WINDOWS).dir, "C:\\work\\cfg");
  assert.equal(configLocation(env32("\\\\srv\\share\\ably"), WINDOWS).dir, "\\\\srv\\share\\ably");
  // From the root of the current drive, and drive-relative paths.
  assert.equal(configLocation(env32("\\ably"), WINDOWS).dir, "C:\\ably");
  assert.equal(configLocation(env32("c:cfg"), WINDOWS).dir, "C:\\work\\repo\\cfg");
  assert.equal(configLocation(env32("D:cfg"), WINDOWS).dir, "D:\\cfg");
});

Deno.test("location: relative homes resolve too, and the current directory is only asked when needed", () => {
  assert.equal(
    configLocation(envOf({ HOME: "jane" }), platform("linux")).dir,
    "/work/repo/jane/.ably",
  );
  assert.equal(
    configLocation(envOf({ HOME: "../../jane" }), platform("linux")).dir,
    "/jane/.ably",
  );
  const noCwd = (os: string) =>
    platform(os, {
      cwd: () => {
        throw new Error("cwd asked");
      },
    });
  assert.equal(configLocation(envOf({ HOME: "/h" }), noCwd("linux")).dir, "/h/.ably");
  assert.equal(
    configLocation(envOf({ USERPROFILE: "C:\\h" }), noCwd("windows")).dir,
    "C:\\h\\.ably",
  );
});

Deno.test("location: path helpers on a UNC current directory", () => {
  const unc = { os: "windows", cwd: () => "\\\\srv\\share\\dir" };
  assert.equal(resolvePath("x", unc), "\\\\srv\\share\\dir\\x");
  assert.equal(resolvePath("\\x", unc), "\\\\srv\\share\\x");
  assert.equal(resolvePath("..\\..\\..", unc), "\\\\srv\\share\\");
  assert.equal(joinPath("windows", "C:\\", ".ably"), "C:\\.ably");
  assert.equal(joinPath("linux", "/", ".ably"), "/.ably");
  // Joined parts that cancel out leave the current directory, as path.join does.
  assert.equal(joinPath("linux", "a", ".."), ".");
  assert.equal(joinPath("windows", "a", ".."), ".");
  assert.equal(joinPath("linux", "..", "a"), "../a");
});

Deno.test("location: the real platform gives an absolute path", () => {
  const dir = Deno.build.os === "windows" ? "C:\\tmp\\ably" : "/tmp/ably";
  assert.equal(configLocation(envOf({ ABLY_CLI_CONFIG_DIR: dir })).dir, dir);
  const relative = configLocation(envOf({ ABLY_CLI_CONFIG_DIR: "rel" })).dir;
  assert.ok(relative.startsWith(Deno.cwd()) && relative.endsWith("rel"), relative);
});

Deno.test("location: on the start-up path it imports nothing from node: or npm:", async () => {
  const source = await Deno.readTextFile(new URL("../../src/config/location.ts", import.meta.url));
  assert.doesNotMatch(source, /^\s*(import|export)\b[^;]*\bfrom\s+["'](node:|npm:)/m);
  assert.doesNotMatch(source, /\brequire\s*\(|import\s*\(/);
});

Deno.test({
  name: "location: without HOME the real user database is read (cron, env -i)",
  ignore: Deno.build.os !== "linux",
}, async () => {
  const home = passwdHomeFor(await Deno.readTextFile("/etc/passwd"), Deno.uid()!);
  const run = await runCli(["config", "path"], {
    configDir: await tempConfigDir(),
    env: { HOME: "", ABLY_CLI_CONFIG_DIR: "" },
  });
  if (home) {
    assert.deepEqual([run.code, run.stdout], [
      0,
      `${joinPath("linux", home, ".ably", "config")}\n`,
    ]);
  } else {
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Cannot find your home directory: set HOME, or ABLY_CLI_CONFIG_DIR\./);
  }
});

Deno.test("paths: dirname, basename and absolute as node:path has them, per OS", () => {
  const cases: [string, string, string, string, boolean][] = [
    ["linux", "/home/jane/.ably/config", "/home/jane/.ably", "config", true],
    ["linux", "/config", "/", "config", true],
    ["linux", "config", ".", "config", false],
    ["windows", "C:\\Users\\jane\\.ably\\config", "C:\\Users\\jane\\.ably", "config", true],
    ["windows", "C:\\config", "C:\\", "config", true],
    ["windows", "D:/mixed\\sep/config", "D:/mixed\\sep", "config", true],
    ["windows", "rel\\config", "rel", "config", false],
  ];
  for (const [os, path, dir, base, absolute] of cases) {
    assert.equal(dirnameOf(os, path), dir, `${os} dirname ${path}`);
    assert.equal(basenameOf(os, path), base, `${os} basename ${path}`);
    assert.equal(isAbsolutePath(os, path), absolute, `${os} absolute ${path}`);
  }
});
