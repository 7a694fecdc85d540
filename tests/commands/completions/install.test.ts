/**
 * `ably completions install`: user-writable places, directories created, idempotent,
 * says what it changed; `--dry-run` changes nothing. Then the real shells load it.
 */
import assert from "node:assert/strict";
import {
  BASH_COMPLETION_LOADERS,
  plan,
  shellOf,
} from "../../../src/commands/completions/install.ts";
import { baseEnv, MAIN, PERMISSIONS, runCli, tempConfigDir, tempDir } from "../../helpers/cli.ts";

const isWindows = Deno.build.os === "windows";
const CI = Deno.env.get("CI") === "true";

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
const bashCompletion = (await Promise.all(BASH_COMPLETION_LOADERS.map(exists))).some(Boolean);

async function installed(shell: string): Promise<boolean> {
  if (isWindows) return false;
  return (await new Deno.Command("sh", { args: ["-c", `command -v ${shell}`] }).output()).success;
}

async function install(home: string, args: string[], env: Record<string, string> = {}) {
  return await runCli(["completions", "install", ...args], {
    configDir: await tempConfigDir(),
    env: { HOME: home, ...env },
  });
}

Deno.test("completions install: the shell from $SHELL, else a usage error naming the fix", () => {
  assert.equal(shellOf(undefined, "/usr/bin/zsh"), "zsh");
  assert.equal(shellOf(undefined, "/opt/homebrew/bin/fish"), "fish");
  assert.equal(shellOf("bash", "/bin/zsh"), "bash");
  assert.throws(() => shellOf(undefined, "/bin/tcsh"), /Cannot tell your shell from \$SHELL/);
  assert.throws(() => shellOf(undefined, undefined), /\$SHELL \(unset\)/);
});

Deno.test("completions install zsh: file, fpath before an existing compinit, never twice", async () => {
  const home = await tempDir("ably-home-");
  await Deno.writeTextFile(`${home}/.zshrc`, "export A=1\nautoload -Uz compinit\ncompinit\n");
  const first = await install(home, [], { SHELL: "/bin/zsh" });
  assert.equal(first.code, 0, first.stderr);
  const file = `${home}/.zsh/completions/_ably`;
  assert.match(await Deno.readTextFile(file), /^#compdef ably\n/);
  assert.equal(
    await Deno.readTextFile(`${home}/.zshrc`),
    `export A=1\nfpath=(${home}/.zsh/completions $fpath)  # added by ably completions install\nautoload -Uz compinit\ncompinit\n`,
  );
  assert.match(first.stdout, new RegExp(`^Created ${file}\\.$`, "m"));
  assert.match(first.stdout, /^Added to .*\.zshrc:\n {2}fpath=\(.*\.zsh\/completions \$fpath\)$/m);
  assert.doesNotMatch(first.stdout, /compinit/); // it was there already

  const again = await install(home, ["zsh"]);
  assert.equal(again.code, 0);
  assert.equal(again.stdout, `${file} is already up to date.\n`);
  assert.equal((await Deno.readTextFile(`${home}/.zshrc`)).match(/ably completions/g)?.length, 1);
});

Deno.test("completions install --dry-run: says what it would do, writes nothing", async () => {
  const home = await tempDir("ably-home-");
  const run = await install(home, ["zsh", "--dry-run"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Would write .*\/\.zsh\/completions\/_ably\.$/m);
  assert.match(run.stdout, /^Would add to .*\/\.zshrc:\n {2}autoload -Uz compinit && compinit$/m);
  assert.match(run.stderr, /Nothing was changed \(--dry-run\)\./);
  assert.deepEqual([...Deno.readDirSync(home)], []);
  const json = await install(home, ["fish", "--dry-run", "--json"]);
  const result = json.records().find((r) => r.type === "result");
  assert.deepEqual(result?.completions, {
    shell: "fish",
    dryRun: true,
    changes: [{ path: `${home}/.config/fish/completions/ably.fish`, action: "created" }],
  });
  assert.deepEqual([...Deno.readDirSync(home)], []);
});

Deno.test("completions install bash and fish: XDG places, a .bashrc line only without bash-completion", async () => {
  const home = await tempDir("ably-home-");
  const data = `${home}/data`;
  const bash = await install(home, ["bash"], { XDG_DATA_HOME: data });
  assert.equal(bash.code, 0, bash.stderr);
  const target = `${data}/bash-completion/completions/ably`;
  assert.ok(await exists(target));
  const bashrc = await Deno.readTextFile(`${home}/.bashrc`).catch(() => undefined);
  if (bashCompletion) assert.equal(bashrc, undefined);
  else {assert.equal(
      bashrc,
      `[ -r "${target}" ] && . "${target}"  # added by ably completions install\n`,
    );}
  const again = await install(home, ["bash"], { XDG_DATA_HOME: data });
  assert.equal(again.stdout, `${target} is already up to date.\n`);

  const fish = await install(home, ["fish"], { XDG_CONFIG_HOME: `${home}/conf` });
  assert.equal(fish.code, 0, fish.stderr);
  assert.ok(await exists(`${home}/conf/fish/completions/ably.fish`));
});

Deno.test("completions install on a 40-column terminal: the line added to .bashrc is shown whole on a line of its own, never wrapped", async () => {
  const home = await tempDir("ably-home-with-a-long-name-");
  const data = `${home}/a/deep/data/home`;
  const target = `${data}/bash-completion/completions/ably`;
  const files = new Map<string, string>();
  const result = await plan(
    "bash",
    { home, xdgDataHome: data },
    "s\n",
    false,
    (p) => Promise.resolve(files.get(p)),
  );
  assert.ok(result.changes.some((change) => change.action === "added"), "a line is added");
  const run = await runCli(["completions", "install", "bash", "--dry-run"], {
    configDir: await tempConfigDir(),
    env: { HOME: home, XDG_DATA_HOME: data },
    replies: [],
    columns: 40,
  });
  assert.equal(run.code, 0, run.stderr);
  const line = `[ -r "${target}" ] && . "${target}"`;
  assert.ok(line.length > 40);
  if (!bashCompletion) assert.ok(run.stdout.split("\n").includes(`  ${line}`), run.stdout);
});

Deno.test("completions install: bash-completion present -> no .bashrc line", async () => {
  const files = new Map<string, string>();
  const result = await plan(
    "bash",
    { home: "/h" },
    "script\n",
    true,
    (p) => Promise.resolve(files.get(p)),
  );
  assert.deepEqual(result.changes, [
    { path: "/h/.local/share/bash-completion/completions/ably", action: "created" },
  ]);
});

/** A shim `ably` on PATH running this checkout, as an installed one would. */
async function ablyOnPath(): Promise<string> {
  const bin = await tempDir("ably-bin-");
  const quoted = [Deno.execPath(), "run", ...PERMISSIONS, MAIN].map((w) => `'${w}'`).join(" ");
  await Deno.writeTextFile(`${bin}/ably`, `#!/bin/sh\nexec ${quoted} "$@"\n`, { mode: 0o755 });
  return bin;
}

for (const shell of ["bash", "zsh", "fish"] as const) {
  const check = {
    // An interactive shell started afresh in that HOME: what a new terminal does.
    bash: ["-i", "-c", "complete -p ably"],
    zsh: ["-i", "-c", "print -r -- $_comps[ably]"],
    fish: ["-c", "complete -C'ably acc'"],
  }[shell];
  const expected = { bash: /complete -F _ably ably/, zsh: /^_ably$/m, fish: /^accounts\t/m }[shell];
  Deno.test({
    name: `completions install ${shell}: a new ${shell} has the completions`,
    ignore: isWindows || (!(await installed(shell)) && !CI) ||
      (shell === "bash" && bashCompletion), // then bash-completion loads it on demand
    sanitizeResources: false,
    async fn() {
      const home = await tempDir("ably-home-");
      const run = await install(home, [shell]);
      assert.equal(run.code, 0, run.stderr);
      const env = await baseEnv(await tempConfigDir());
      const output = await new Deno.Command(shell, {
        args: check,
        env: { ...env, HOME: home, PATH: `${await ablyOnPath()}:${env.PATH}`, TERM: "dumb" },
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(30_000),
      }).output();
      const stdout = new TextDecoder().decode(output.stdout);
      assert.match(stdout, expected, new TextDecoder().decode(output.stderr));
    },
  });
}
