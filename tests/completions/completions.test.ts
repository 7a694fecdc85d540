/** Completion scripts, exercised in real bash, zsh and fish against the real CLI on PATH. */
import assert from "node:assert/strict";
import {
  baseEnv,
  MAIN,
  PERMISSIONS,
  removeAtEnd,
  runCli,
  tempConfigDir,
  tempDir,
  tempFile,
} from "../helpers/cli.ts";
import { buildConfig } from "../helpers/fixtures.ts";

const isWindows = Deno.build.os === "windows";

/** A directory with an `ably` executable that runs this checkout, as an install would. */
async function ablyOnPath(): Promise<string> {
  const bin = await tempDir("ably-bin-");
  const quoted = [Deno.execPath(), "run", ...PERMISSIONS, MAIN].map((w) => `'${w}'`).join(" ");
  await Deno.writeTextFile(`${bin}/ably`, `#!/bin/sh\nexec ${quoted} "$@"\n`, { mode: 0o755 });
  return bin;
}

const decoder = new TextDecoder();

/** The generated script, once per shell (in-process): each case then costs one shell, not two CLIs. */
const scriptFiles = new Map<string, Promise<string>>();
function scriptFile(shell: "bash" | "zsh" | "fish"): Promise<string> {
  if (!scriptFiles.has(shell)) {
    scriptFiles.set(
      shell,
      (async () => {
        const { stdout } = await runCli(["completions", shell], {
          configDir: await tempConfigDir(),
        });
        const file = await tempFile(`.${shell}`);
        await Deno.writeTextFile(file, stdout);
        return file;
      })(),
    );
  }
  return scriptFiles.get(shell)!;
}

/** Whether `shell` is installed; under CI=true a missing shell fails its tests instead of skipping. */
async function installed(shell: string): Promise<boolean> {
  if (isWindows) return false;
  return (await new Deno.Command("sh", { args: ["-c", `command -v ${shell}`] }).output()).success;
}
const CI = Deno.env.get("CI") === "true";
const has = { zsh: await installed("zsh"), fish: await installed("fish") };
const skip = (shell: keyof typeof has) => isWindows || (!has[shell] && !CI);
function requireShell(shell: keyof typeof has) {
  assert.ok(has[shell], `${shell} is not installed (.ci/run installs it; CI=true requires it)`);
}

/** Runs `program args` with the config dir and the `ably` shim on PATH; stderr must stay empty. */
async function shell(
  program: string,
  args: string[],
  configDir: string,
  bin: string,
): Promise<string> {
  const env = await baseEnv(configDir);
  const output = await new Deno.Command(program, {
    args,
    env: { ...env, PATH: `${bin}:${env.PATH}` },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.equal(decoder.decode(output.stderr), "", "completion must never print errors");
  return decoder.decode(output.stdout);
}

/**
 * What bash offers after `line` (the cursor at its end), via the generated `_ably`. The words
 * are split as bash splits them for completion: at spaces, and around `=` (COMP_WORDBREAKS).
 */
async function complete(line: string, configDir: string, bin: string): Promise<string[]> {
  const words = line.split(" ").flatMap((word) =>
    word.split(/(=)/).filter((part, _, parts) => part !== "" || parts.length === 1)
  );
  const script = `
    source '${await scriptFile("bash")}'
    COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")})
    COMP_CWORD=${words.length - 1}
    _ably
    printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = await shell("bash", ["-c", script], configDir, bin);
  return out.split("\n").filter(Boolean).sort();
}

/**
 * Drives an interactive zsh in a pseudo-terminal (zsh/zpty): types `line`, presses Tab once and
 * returns the matches the completion system added. `compadd` is wrapped to print what it adds,
 * so this is zsh's real completion machinery, first Tab of a new shell. `how` loads the script
 * as a user would: written to a directory on $fpath before compinit, or sourced after it.
 */
const ZSH_DRIVER = String.raw`
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "source ${"${"}(q)1}"
local chunk out
zpty -r z chunk '*__ably_ready__*' || exit 4
zpty -w -n z "$2"$'\t'
while zpty -r z chunk; do out+=$chunk; done
print -rn -- $out
`;

/**
 * Once per run: the generated `_ably` in a functions directory, and compinit's dump for a
 * shell that has that directory on $fpath and for one that sources the script instead.
 */
let zshReady: Promise<{ functions: string; dumps: { fpath: string; source: string } }> | undefined;
function zshSetup() {
  zshReady ??= (async () => {
    const functions = await tempDir("ably-zsh-functions-");
    await Deno.copyFile(await scriptFile("zsh"), `${functions}/_ably`);
    const dumps = { fpath: `${functions}.fpath.zcompdump`, source: `${functions}.zcompdump` };
    removeAtEnd(dumps.fpath);
    removeAtEnd(dumps.source);
    const dump = (setup: string) => new Deno.Command("zsh", { args: ["-f", "-c", setup] }).output();
    await Promise.all([
      dump(`fpath=(${functions} $fpath); autoload -U compinit && compinit -u -d ${dumps.fpath}`),
      dump(`autoload -U compinit && compinit -u -d ${dumps.source}`),
    ]);
    return { functions, dumps };
  })();
  return zshReady;
}

async function zshComplete(
  line: string,
  how: "fpath" | "source",
  configDir: string,
  bin: string,
): Promise<string[]> {
  const { functions, dumps } = await zshSetup();
  const dir = await tempDir("ably-zsh-");
  // A new shell loading the completion dump compinit wrote (as ~/.zcompdump does for users):
  // compinit -C skips re-scanning every function, which costs far more than the completion.
  const load = how === "fpath"
    ? `fpath=(${functions} $fpath)\nautoload -U compinit && compinit -u -C -d ${dumps.fpath}`
    : `autoload -U compinit && compinit -u -C -d ${dumps.source}\nsource ${functions}/_ably`;
  await Deno.writeTextFile(
    `${dir}/setup.zsh`,
    String.raw`PROMPT=
${load}
bindkey '^I' complete-word
__ably_nul() { print -n -- $'\0' }
compprefuncs=(__ably_nul)
comppostfuncs=(__ably_nul exit)
zstyle ':completion:*' insert-tab false
compadd() {
  if [[ ${"${"}@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
  local -a __hits
  builtin compadd -A __hits "$@"
  (( $#__hits )) && print -rl -- "" $__hits
  builtin compadd "$@"
}
print __ably_''ready__
`,
  );
  await Deno.writeTextFile(`${dir}/driver.zsh`, ZSH_DRIVER);
  const out = await shell(
    "zsh",
    ["-f", `${dir}/driver.zsh`, `${dir}/setup.zsh`, line],
    configDir,
    bin,
  );
  const between = out.split("\0");
  assert.ok(between.length >= 3, `no completion ran: ${JSON.stringify(out)}`);
  const words = between[1].split(/\r?\n/).map((w) => w.replace(/\r/g, "").trim()).filter(Boolean);
  return [...new Set(words)].sort();
}

/** What fish offers for `line` (`complete -C`), the generated script sourced. */
async function fishComplete(line: string, configDir: string, bin: string): Promise<string[]> {
  const file = await tempFile(".fish");
  await Deno.writeTextFile(file, (await runCli(["completions", "fish"], { configDir })).stdout);
  const out = await shell(
    "fish",
    ["--no-config", "-c", `source ${file}; complete -C ${fishQuote(line)}`],
    configDir,
    bin,
  );
  return out.split("\n").filter(Boolean).map((l) => l.split("\t")[0]).sort();
}
const fishQuote = (text: string) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

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
      "--skip-revoke",
      "--verbose",
      "acme",
      "beta",
    ]);
    assert.deepEqual(await complete("ably accounts switch b", dir, bin), ["beta"]);
    assert.deepEqual(await complete("ably completions ", dir, bin), [
      "--help",
      "bash",
      "fish",
      "install",
      "zsh",
    ]);
    assert.deepEqual(await complete("ably config s", dir, bin), ["show"]);
    assert.deepEqual(await complete("ably account logout b", dir, bin), ["beta"]);
  },
});

/** What every account command offers once its argument is given: its flags only. */
const LOGOUT_FLAGS = [
  "--all",
  "--force",
  "--help",
  "--json",
  "--pretty-json",
  "--skip-revoke",
  "--verbose",
];

Deno.test({
  name:
    "completions: bash offers nothing given already, nothing for a free-text flag value, a fixed-set flag's values",
  ignore: isWindows,
  async fn() {
    const bin = await ablyOnPath();
    const dir = await tempConfigDir(buildConfig([{ alias: "acme" }, { alias: "beta" }], "acme"));
    // The account argument is given: flags only, and no alias again.
    assert.deepEqual(await complete("ably accounts logout acme ", dir, bin), LOGOUT_FLAGS);
    assert.deepEqual(await complete("ably accounts logout acme b", dir, bin), []);
    assert.deepEqual(await complete("ably accounts switch beta --json ", dir, bin), [
      "--help",
      "--json",
      "--pretty-json",
      "--verbose",
    ]);
    // Flags before the argument (a hidden value flag's value included) leave it to complete.
    assert.deepEqual(
      await complete("ably accounts logout --force --control-host example.com b", dir, bin),
      ["beta"],
    );
    assert.deepEqual(await complete("ably accounts logout --control-host=x.test b", dir, bin), [
      "beta",
    ]);
    // A flag's value is free text: nothing is offered for it.
    for (
      const line of [
        "ably accounts login --alias ",
        "ably accounts login --alias a",
        "ably login -a ",
        "ably login -fa ",
        "ably login --alias=",
        "ably login --token ",
        "ably accounts switch --endpoint ",
        "ably accounts logout --control-host a",
      ]
    ) {
      assert.deepEqual(await complete(line, dir, bin), [], line);
    }
    // A flag that takes one of a fixed set: those values, and only while its value is typed.
    const FORMATS = ["bash", "dotenv", "fish", "json", "powershell", "sh", "zsh"];
    assert.deepEqual(await complete("ably accounts env --format ", dir, bin), FORMATS);
    assert.deepEqual(await complete("ably accounts env --format p", dir, bin), ["powershell"]);
    assert.deepEqual(await complete("ably accounts env --format=f", dir, bin), ["fish"]);
    assert.deepEqual(await complete("ably accounts env --app ", dir, bin), []);
    assert.deepEqual(await complete("ably accounts env --format sh b", dir, bin), ["beta"]);
    // After the value, flags again; --token's value is optional, so a flag may follow it.
    assert.deepEqual(await complete("ably login --alias work --n", dir, bin), ["--no-browser"]);
    assert.deepEqual(await complete("ably login --token --n", dir, bin), ["--no-browser"]);
    // One shell name, then only --help.
    assert.deepEqual(await complete("ably completions bash ", dir, bin), ["--help"]);
    assert.deepEqual(await complete("ably completions zsh f", dir, bin), []);
    // Unknown commands complete nothing.
    assert.deepEqual(await complete("ably nope ", dir, bin), []);
  },
});

Deno.test({
  name: "completions: zsh completes on the first Tab when autoloaded from $fpath, and sourced",
  ignore: skip("zsh"),
  async fn() {
    requireShell("zsh");
    const bin = await ablyOnPath();
    const dir = await tempConfigDir(buildConfig([{ alias: "acme" }, { alias: "beta" }], "acme"));
    // zsh's convention (the prefix-needed style): flags only once a "-" is typed.
    // Each case is a new shell (its first Tab); they run side by side.
    const cases: [line: string, how: "fpath" | "source", expected: string[]][] = [
      ["ably accounts lo", "fpath", ["login", "logout"]],
      ["ably accounts logout ", "fpath", ["acme", "beta"]],
      ["ably accounts lo", "source", ["login", "logout"]],
      ["ably accounts logout ", "source", ["acme", "beta"]],
      ["ably acc", "fpath", ["accounts"]],
      ["ably account logout b", "fpath", ["beta"]],
      ["ably accounts logout --f", "fpath", ["--force"]],
      ["ably completions ", "fpath", ["bash", "fish", "install", "zsh"]],
      ["ably accounts logout acme ", "fpath", []],
      ["ably accounts logout acme -", "fpath", LOGOUT_FLAGS],
      ["ably completions bash ", "fpath", []],
      ["ably accounts logout --control-host example.com ", "fpath", ["acme", "beta"]],
      ["ably login --alias ", "fpath", []],
      ["ably login -a ", "fpath", []],
      ["ably login --token ", "fpath", []],
      ["ably login --alias work --n", "fpath", ["--no-browser"]],
      [
        "ably accounts env --format ",
        "fpath",
        ["bash", "dotenv", "fish", "json", "powershell", "sh", "zsh"],
      ],
      ["ably accounts env --format p", "source", ["powershell"]],
      ["ably accounts env --app ", "fpath", []],
    ];
    const results = await Promise.all(
      cases.map(([line, how]) => zshComplete(line, how, dir, bin)),
    );
    cases.forEach(([line, how, expected], i) =>
      assert.deepEqual(results[i], expected, `${how}: ${line}`)
    );

    // Sourced after compinit, it registers itself for `ably`.
    const registered = await shell(
      "zsh",
      [
        "-f",
        "-c",
        "autoload -U compinit && compinit -u -D; source <(ably completions zsh); print -r -- $_comps[ably]",
      ],
      dir,
      bin,
    );
    assert.equal(registered, "_ably\n");
  },
});

Deno.test({
  name:
    "completions: fish completes the same words, nothing given already or for a free-text value, a fixed-set flag's values",
  ignore: skip("fish"),
  async fn() {
    requireShell("fish");
    const bin = await ablyOnPath();
    const dir = await tempConfigDir(buildConfig([{ alias: "acme" }, { alias: "beta" }], "acme"));
    assert.deepEqual(await fishComplete("ably acc", dir, bin), ["accounts"]);
    assert.deepEqual(await fishComplete("ably account lo", dir, bin), ["login", "logout"]);
    assert.deepEqual(await fishComplete("ably accounts logout ", dir, bin), ["acme", "beta"]);
    assert.deepEqual(await fishComplete("ably accounts logout --f", dir, bin), ["--force"]);
    assert.deepEqual(await fishComplete("ably accounts logout acme ", dir, bin), []);
    assert.deepEqual(await fishComplete("ably accounts logout acme --a", dir, bin), ["--all"]);
    assert.deepEqual(await fishComplete("ably completions ", dir, bin), [
      "bash",
      "fish",
      "install",
      "zsh",
    ]);
    assert.deepEqual(await fishComplete("ably completions bash ", dir, bin), []);
    assert.deepEqual(
      await fishComplete("ably accounts logout --control-host example.com ", dir, bin),
      ["acme", "beta"],
    );
    for (const line of ["ably login --alias ", "ably login -a ", "ably login --token "]) {
      assert.deepEqual(await fishComplete(line, dir, bin), [], line);
    }
    assert.deepEqual(await fishComplete("ably login --alias work --n", dir, bin), [
      "--no-browser",
    ]);
    // A flag that takes one of a fixed set: those values while its value is typed.
    assert.deepEqual(await fishComplete("ably accounts env --format ", dir, bin), [
      "bash",
      "dotenv",
      "fish",
      "json",
      "powershell",
      "sh",
      "zsh",
    ]);
    assert.deepEqual(await fishComplete("ably accounts env --format p", dir, bin), ["powershell"]);
    assert.deepEqual(await fishComplete("ably accounts env --app ", dir, bin), []);
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

Deno.test("completions: zsh and fish get native completions", async () => {
  const dir = await tempConfigDir();
  const zsh = await runCli(["completions", "zsh"], { configDir: dir });
  assert.equal(zsh.code, 0);
  assert.match(zsh.stdout, /^#compdef ably\n/);
  assert.doesNotMatch(zsh.stdout, /bashcompinit/);
  assert.ok(
    zsh.stdout.endsWith(
      '\nif [ "$funcstack[1]" = "_ably" ]; then\n  _ably "$@"\nelse\n  compdef _ably ably\nfi\n',
    ),
  );
  const fish = await runCli(["completions", "fish"], { configDir: dir });
  assert.match(
    fish.stdout,
    /complete -c ably -n '__ably_at ably_accounts_logout' -l force -s f -d 'Skip confirmation prompt \(required with --json\)'/,
  );
  assert.match(
    fish.stdout,
    /complete -c ably -n '__ably_at ably_accounts_logout 0' -a '\(ably __complete aliases 2>\/dev\/null\)'/,
  );
  const bad = await runCli(["completions", "tcsh"], { configDir: dir });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Command "completions tcsh" not found\./);
});

Deno.test({
  name: "completions: the scripts are valid shell syntax where the shell is installed",
  ignore: isWindows,
  async fn() {
    const dir = await tempConfigDir();
    for (const shell of ["bash", "zsh", "fish"]) {
      if (shell !== "bash" && !has[shell as keyof typeof has]) {
        if (CI) requireShell(shell as keyof typeof has);
        continue;
      }
      const { stdout } = await runCli(["completions", shell], { configDir: dir });
      const file = await tempFile(`.${shell}`);
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
    const marker = `${await tempDir()}/PWNED`;
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
