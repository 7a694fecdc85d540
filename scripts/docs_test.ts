/** README's Install section: what a user needs, per OS, with no release mechanics. */
import assert from "node:assert/strict";
import { root } from "./stubs.ts";

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
