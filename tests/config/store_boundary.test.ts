/**
 * The store where it meets what it does not control, with real processes: a lock file a
 * person removes while an update holds it, and a config bind-mounted as a single file.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { parse } from "smol-toml";
import { startAblyServer } from "../helpers/ably-server.ts";
import { readConfigText, spawnCli, tempConfigDir } from "../helpers/cli.ts";
import { until, withDeadline } from "../helpers/deadline.ts";
import { accessTokenOf, buildConfig, refreshTokenOf } from "../helpers/fixtures.ts";

const isWindows = Deno.build.os === "windows";

Deno.test({
  name:
    "store: 12 logouts, the lock file removed under each one while it revokes: none is lost, none keeps an account whose tokens it revoked, nothing is revoked twice",
  ignore: isWindows, // an open file cannot be removed there
}, async () => {
  const server = startAblyServer({ revoke: { status: 200, delayMs: 400 } });
  try {
    const aliases = Array.from({ length: 12 }, (_, i) => `a${i}`);
    const emails = aliases.map((alias) => `${alias}@example.com`);
    const dir = await tempConfigDir(
      buildConfig(aliases.map((alias) => ({ alias, issuer: server.host })), "a0"),
    );
    const secrets = emails.flatMap((email) => [accessTokenOf(email), refreshTokenOf(email)]);
    const runs = [];
    for (const [i, alias] of aliases.entries()) {
      runs.push(spawnCli(["accounts", "logout", alias, "--force", "--json"], {
        configDir: dir,
        secrets,
      }));
      // Once this logout is revoking under the lock, the lock file goes (a person after a
      // lock time-out): the next logout then locks a new file and reads the same config.
      await until(
        `logout ${alias} to start revoking`,
        () => server.revoked().includes(accessTokenOf(emails[i])),
        30_000,
      );
      await Deno.remove(`${dir}/config.lock`).catch(() => {});
    }
    const results = await withDeadline(60_000, "the 12 logouts", Promise.all(runs));
    for (const [i, run] of results.entries()) {
      assert.equal(run.code, 0, `${aliases[i]}: ${run.stderr} ${run.stdout}`);
    }
    const config = parse(await readConfigText(dir)) as { accounts?: Record<string, unknown> };
    assert.deepEqual(Object.keys(config.accounts ?? {}), [], "every logged-out account is gone");
    assert.deepEqual(server.revoked(), [...secrets].sort(), "each token revoked exactly once");
  } finally {
    await server.close();
  }
});

/** Why a file cannot be bind-mounted here (root and a private mount namespace are needed). */
const cannotMount = Deno.build.os !== "linux"
  ? "only Linux bind-mounts a single file"
  : await new Deno.Command("unshare", {
    args: ["-m", "--propagation", "private", "true"],
    stdout: "null",
    stderr: "null",
  }).output().then(
    (r) => r.success ? undefined : "unshare -m is not permitted (root is needed)",
    () => "unshare (util-linux) is not installed",
  );
if (cannotMount) console.warn(`skipping the bind-mounted config tests: ${cannotMount}`);

/** Runs the CLI with `source` bind-mounted over `<dir>/config`, in a mount namespace of its own. */
function mountedOver(source: string, dir: string): string[] {
  return [
    "unshare",
    "-m",
    "--propagation",
    "private",
    "sh",
    "-c",
    'mount --bind "$0" "$1" && shift && exec "$@"',
    source,
    `${dir}/config`,
  ];
}

const MOUNTED: {
  name: string;
  args: (host: string) => string[];
  /** What the file holds afterwards. */
  holds: (text: string) => boolean;
  /** The token requests the issuer must have seen. */
  issued: { refresh: number; revoked: number };
}[] = [
  {
    name: "accounts token refreshes and saves the new pair",
    args: () => ["accounts", "token", "--verbose"],
    holds: (text) =>
      text.includes("refreshed_rt_1_SeCrEt") && !text.includes(refreshTokenOf("a@example.com")),
    issued: { refresh: 1, revoked: 0 },
  },
  {
    name: "logout --force revokes and removes the account",
    args: () => ["accounts", "logout", "--force", "--verbose"],
    holds: (text) => !text.includes("[accounts.a]") && text.includes("[accounts.b]"),
    issued: { refresh: 0, revoked: 2 },
  },
  {
    name: "switch changes the current account",
    args: (host) => ["accounts", "switch", "b", "--control-host", host, "--verbose"],
    holds: (text) => /account = "b"/.test(text),
    issued: { refresh: 1, revoked: 0 },
  },
  {
    name: "login --token adds an account",
    args: (
      host,
    ) => ["accounts", "login", "--token", "-", "--alias", "c", "--control-host", host, "--verbose"],
    holds: (text) => text.includes("[accounts.c]"),
    issued: { refresh: 0, revoked: 0 },
  },
];

/**
 * Where the mounted file lives: on the config directory's own file system (found by a hard
 * link that fails across the mount), and on another one (found by its device), as a
 * container's host file usually is.
 */
const PLACES = [undefined, "/dev/shm"].filter((place) => {
  if (place === undefined) return true;
  try {
    return Deno.statSync(place).dev !== Deno.statSync(Deno.env.get("TMPDIR") ?? "/tmp").dev;
  } catch {
    return false;
  }
});

for (const c of MOUNTED) {
  for (const place of PLACES) {
    const from = place ? ` from another file system (${place})` : "";
    Deno.test({
      name: `store: a config bind-mounted as a single file${from} is rewritten in place: ${c.name}`,
      ignore: cannotMount !== undefined,
    }, async () => {
      const server = startAblyServer();
      const host = place
        ? await Deno.makeTempDir({ dir: place, prefix: "ably-cli-test-" })
        : undefined;
      try {
        const config = buildConfig(
          [{ alias: "a", issuer: server.host }, { alias: "b", issuer: server.host }],
          "a",
        );
        const dir = await tempConfigDir(config);
        // The file the container's host keeps: every write must land in it.
        const source = `${host ?? await tempConfigDir()}/config`;
        await Deno.writeTextFile(source, config, { mode: 0o600 });
        const run = await spawnCli(c.args(server.host), {
          configDir: dir,
          prefix: mountedOver(source, dir),
          stdin: "typed_token_SeCrEt\n",
          secrets: ["a@example.com", "b@example.com"].flatMap((e) => [
            accessTokenOf(e),
            refreshTokenOf(e),
          ]),
        });
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout + run.stderr, /mounted on its own \(a bind-mounted file\)/);
        const text = await Deno.readTextFile(source);
        assert.ok(c.holds(text), text);
        assert.equal(
          await Deno.readTextFile(`${dir}/config`),
          config,
          "the mount point was never replaced",
        );
        assert.equal(server.to("/oauth/token").length, c.issued.refresh);
        assert.equal(server.to("/oauth/revoke").length, c.issued.revoked);
        assert.equal((await Deno.stat(source)).mode! & 0o777, 0o600);
      } finally {
        await server.close();
        if (host) await Deno.remove(host, { recursive: true });
      }
    });
  }
}

const WRITE_CONFIG = fromFileUrl(new URL("../helpers/write_config.ts", import.meta.url));
const hasStrace = await new Deno.Command("strace", { args: ["-V"], stdout: "null", stderr: "null" })
  .output().then((r) => r.success, () => false);

Deno.test({
  name:
    "store: a config bind-mounted as a single file is rewritten through its own descriptor: from its start, written, cut to its length, then fsynced (strace)",
  // CI installs strace; a developer without it skips.
  ignore: cannotMount !== undefined || (!hasStrace && !Deno.env.get("CI")),
}, async () => {
  const dir = await tempConfigDir('[accounts.a]\naccountId = "a"\n');
  const source = `${await tempConfigDir()}/config`;
  await Deno.writeTextFile(
    source,
    '[accounts.a]\naccountId = "a"\n# a longer file than the new one\n',
    {
      mode: 0o600,
    },
  );
  const trace = `${dir}/trace`;
  const run = await withDeadline(
    60_000,
    "a traced write of a bind-mounted config",
    new Deno.Command(mountedOver(source, dir)[0], {
      args: [
        ...mountedOver(source, dir).slice(1),
        // The main thread only (sync file calls run there): lines never interleave.
        "strace",
        "-qq",
        "-o",
        trace,
        "-e",
        "trace=openat,lseek,write,pwrite64,ftruncate,fsync,fdatasync,dup,dup2,dup3,fcntl",
        Deno.execPath(),
        "run",
        "--allow-read",
        "--allow-write",
        WRITE_CONFIG,
        dir,
      ],
      stderr: "piped",
    }).output(),
  );
  assert.ok(run.success, new TextDecoder().decode(run.stderr));
  const text = await Deno.readTextFile(source);
  assert.equal(text, '[accounts.a]\naccountId = "a"\n\n[accounts.traced]\naccountId = "traced"\n');
  const lines = (await Deno.readTextFile(trace)).split("\n");
  const open = lines.findIndex((l) => l.includes(`"${dir}/config", O_RDWR`) && /= \d+$/.test(l));
  assert.ok(open >= 0, "the config itself was opened for writing");
  assert.doesNotMatch(lines[open], /O_CREAT|O_TRUNC/);
  // The descriptor and its duplicates, then what was done through them, in order.
  const fds = new Set([/= (\d+)$/.exec(lines[open])![1]]);
  const done: string[] = [];
  for (const line of lines.slice(open + 1)) {
    const dup = /(?:fcntl\((\d+), F_DUPFD[^)]*|dup[23]?\((\d+)[^)]*)\)\s+= (\d+)$/.exec(line);
    if (dup && fds.has(dup[1] ?? dup[2])) fds.add(dup[3]);
    const call = /^(lseek|write|pwrite64|ftruncate|fsync|fdatasync)\((\d+)(?:, (.*))?\)\s+= (-?\d+)/
      .exec(line);
    if (!call || !fds.has(call[2])) continue;
    const [, name, , args, result] = call;
    if (name === "lseek") done.push(`lseek ${args}`);
    else if (name === "write" || name === "pwrite64") done.push(`write ${result}`);
    else if (name === "ftruncate") done.push(`ftruncate ${args}`);
    else done.push("fsync");
  }
  const bytes = new TextEncoder().encode(text).length;
  assert.deepEqual(done, ["lseek 0, SEEK_SET", `write ${bytes}`, `ftruncate ${bytes}`, "fsync"]);
});
