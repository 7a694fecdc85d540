/** README's Install section: what a user needs, per OS, with no release mechanics. */
import assert from "node:assert/strict";
import { root } from "./stubs.ts";
import { windowsPathCommands, windowsPathSteps } from "./windows_path.ts";

Deno.test("README Install: per-OS steps a user can paste, Windows included; no placeholders", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const install = /^## Install\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
  assert.ok(install, "no ## Install section");
  assert.doesNotMatch(install, /OWNER\/REPO|OWNER\/TAP/);
  assert.match(install, /mkdir -p ~\/\.local\/bin/);
  assert.match(install, /tar -xzf "[^"]+" -C /, "unpacks into its own folder, not over ./LICENSE");
  assert.match(install, /PATH/);
  for (const step of ["Get-FileHash", "Expand-Archive", "Unblock-File", "SmartScreen"]) {
    assert.ok(install.includes(step), step);
  }
  assert.match(install, /git clone /);
  assert.match(install, /Deno 2\.6/);
  assert.match(install, /glibc/);
  assert.doesNotMatch(
    install,
    /HOMEBREW_TAP_TOKEN|code cache/i,
    "release mechanics live in RELEASING.md",
  );
});

Deno.test("RELEASING.md and README name only scripts that exist; no hand deletion of a release", async () => {
  for (const doc of ["RELEASING.md", "README.md"]) {
    const text = await Deno.readTextFile(new URL(doc, root));
    const named = [...text.matchAll(/\bscripts\/[\w.-]+\.(?:ts|sh|mjs|rb|py)\b/g)].map((m) => m[0]);
    for (const path of new Set(named)) {
      const exists = await Deno.stat(new URL(path, root)).then(() => true, () => false);
      assert.ok(exists, `${doc} names ${path}, which does not exist`);
    }
  }
  const releasing = await Deno.readTextFile(new URL("RELEASING.md", root));
  // A tag that had an immutable release can never be reused, even after the release is deleted.
  assert.doesNotMatch(releasing, /delete it[^.]*by hand/i);
  assert.match(releasing, /bump the version/i);
});

Deno.test("Windows user PATH: README and deno task install keep the value's type, entries and machine PATH", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const install = /^## Install\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
  // README's steps are exactly the ones deno task install prints (scripts/windows_path.ts).
  assert.ok(
    install.includes(windowsPathSteps()),
    "README's Windows PATH steps differ from windows_path.ts",
  );
  const powershell = [...install.matchAll(/```powershell\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(powershell.length > 0, "no PowerShell block in README's Install");
  for (const text of [...powershell, windowsPathCommands("C:\\Users\\u\\.deno\\bin")]) {
    // .NET's Environment API writes REG_SZ and expands %VAR% entries; $env:Path is machine + user.
    assert.doesNotMatch(text, /SetEnvironmentVariable\("Path"/);
    assert.doesNotMatch(text, /GetEnvironmentVariable\(['"]Path/);
    assert.doesNotMatch(text, /\$env:Path/);
  }
  const steps = windowsPathSteps();
  assert.match(steps, /DoNotExpandEnvironmentNames/);
  assert.match(steps, /RegistryValueKind\]::ExpandString/);
  assert.match(steps, /^if \(-not /m, "added only when missing (an upgrade changes nothing)");
  assert.match(windowsPathCommands("C:\\o'n"), /^\$dir = 'C:\\o''n'\n/);
});

Deno.test("README Install: the version it downloads is deno.json's; upgrade and uninstall steps, logout first", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const install = /^## Install\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
  const versions = [...install.matchAll(/\bversion\s*=\s*"?(\d+\.\d+\.\d+[^"\s;]*)"?/g)].map((m) =>
    m[1]
  );
  assert.ok(versions.length >= 2, "the sh and PowerShell steps each set the version");
  for (const version of versions) {
    assert.equal(
      version,
      config.version,
      "README's Install downloads another version than deno.json's",
    );
  }
  const upgrade = /^### Upgrade\n([\s\S]*?)^### /m.exec(install)?.[1] ?? "";
  for (const step of ["brew upgrade ably", "git pull && deno task install"]) {
    assert.ok(upgrade.includes(step), step);
  }
  const uninstall = /^### Uninstall\n([\s\S]*?)(?=^How releases)/m.exec(install)?.[1] ?? "";
  const logout = uninstall.indexOf("ably accounts logout --all");
  assert.ok(logout >= 0, "uninstall logs out first (live OAuth tokens)");
  for (
    const step of [
      "rm ~/.local/bin/ably",
      "brew uninstall ably",
      "deno uninstall -g ably",
      "Remove-Item",
    ]
  ) {
    const at = uninstall.indexOf(step);
    assert.ok(at > logout, `${step}: after the logout`);
  }
});
