/** Completion scripts, exercised in a real bash against the real CLI on PATH. */
import assert from "node:assert/strict";
import { baseEnv, MAIN, PERMISSIONS, runCli, tempConfigDir } from "../helpers/cli.ts";
import { buildConfig } from "../helpers/fixtures.ts";

const isWindows = Deno.build.os === "windows";

/** A directory with an `ably` executable that runs this checkout, as an install would. */
async function ablyOnPath(): Promise<string> {
  const bin = await Deno.makeTempDir({ prefix: "ably-bin-" });
  const quoted = [Deno.execPath(), "run", ...PERMISSIONS, MAIN].map((w) => `'${w}'`).join(" ");
  await Deno.writeTextFile(`${bin}/ably`, `#!/bin/sh\nexec ${quoted} "$@"\n`, { mode: 0o755 });
  return bin;
}

/** What bash offers after `line` (the cursor at its end), via the generated `_ably`. */
async function complete(line: string, configDir: string, bin: string): Promise<string[]> {
  const words = line.split(" ");
  const script = `
    source <(ably completions bash)
    COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")})
    COMP_CWORD=${words.length - 1}
    _ably
    printf '%s\\n' "\${COMPREPLY[@]}"`;
  const env = await baseEnv(configDir);
  const output = await new Deno.Command("bash", {
    args: ["-c", script],
    env: { ...env, PATH: `${bin}:${env.PATH}` },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(stderr, "", "completion must never print errors");
  return new TextDecoder().decode(output.stdout).split("\n").filter(Boolean).sort();
}

Deno.test({
  name: "completions: bash completes commands, flags and account aliases",
  ignore: isWindows,
  async fn() {
    const bin = await ablyOnPath();
    const dir = await tempConfigDir(buildConfig([{ alias: "acme" }, { alias: "beta" }], "acme"));
    assert.deepEqual(await complete("ably acc", dir, bin), ["accounts"]);
    assert.deepEqual(await complete("ably accounts lo", dir, bin), ["login", "logout"]);
    assert.deepEqual(await complete("ably accounts logout --f", dir, bin), ["--force"]);
    assert.deepEqual(await complete("ably accounts logout ", dir, bin), [
      "--all",
      "--force",
      "--help",
      "--json",
      "--pretty-json",
      "--verbose",
      "acme",
      "beta",
    ]);
    assert.deepEqual(await complete("ably accounts switch b", dir, bin), ["beta"]);
    assert.deepEqual(await complete("ably completions ", dir, bin), [
      "--help",
      "bash",
      "fish",
      "zsh",
    ]);
    assert.deepEqual(await complete("ably config s", dir, bin), ["show"]);
  },
});

Deno.test({
  name: "completions: a broken or missing config completes no aliases and prints nothing",
  ignore: isWindows,
  async fn() {
    const bin = await ablyOnPath();
    for (const dir of [await tempConfigDir("not = [toml"), await tempConfigDir()]) {
      assert.deepEqual(await complete("ably accounts logout a", dir, bin), []);
    }
    const quiet = await runCli(["__complete", "aliases"], {
      configDir: await tempConfigDir("broken = ["),
    });
    assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);
  },
});

Deno.test("completions: zsh wraps the bash function; fish gets native completions", async () => {
  const dir = await tempConfigDir();
  const zsh = await runCli(["completions", "zsh"], { configDir: dir });
  assert.equal(zsh.code, 0);
  assert.match(zsh.stdout, /^#compdef ably\nautoload -U \+X bashcompinit && bashcompinit\n/);
  assert.match(zsh.stdout, /complete -F _ably ably\n$/);
  const fish = await runCli(["completions", "fish"], { configDir: dir });
  assert.match(
    fish.stdout,
    /complete -c ably -n '__fish_seen_subcommand_from logout' -l force -s f -d 'Skip confirmation prompt \(required with --json\)'/,
  );
  assert.match(
    fish.stdout,
    /complete -c ably -n '__fish_seen_subcommand_from logout' -a '\(ably __complete aliases 2>\/dev\/null\)'/,
  );
  const bad = await runCli(["completions", "tcsh"], { configDir: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown shell "tcsh": use one of bash, zsh, fish\./);
});

Deno.test({
  name: "completions: the scripts are valid shell syntax where the shell is installed",
  ignore: isWindows,
  async fn() {
    const dir = await tempConfigDir();
    for (const shell of ["bash", "zsh", "fish"]) {
      const found = await new Deno.Command("sh", { args: ["-c", `command -v ${shell}`] }).output();
      if (!found.success) continue;
      const { stdout } = await runCli(["completions", shell], { configDir: dir });
      const file = await Deno.makeTempFile({ suffix: `.${shell}` });
      await Deno.writeTextFile(file, stdout);
      const check = await new Deno.Command(shell, { args: ["-n", file] }).output();
      assert.ok(check.success, `${shell} -n: ${new TextDecoder().decode(check.stderr)}`);
    }
  },
});

Deno.test({
  name: "completions: an alias with shell syntax is never offered (bash would run it)",
  ignore: isWindows,
  async fn() {
    const bin = await ablyOnPath();
    const marker = `${await Deno.makeTempDir()}/PWNED`;
    const dir = await tempConfigDir(
      `[accounts."$(touch ${marker})"]\naccountId = "x"\n\n[accounts.safe]\naccountId = "y"\n`,
    );
    assert.deepEqual(await complete("ably accounts switch ", dir, bin), [
      "--help",
      "--json",
      "--pretty-json",
      "--verbose",
      "safe",
    ]);
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  },
});
