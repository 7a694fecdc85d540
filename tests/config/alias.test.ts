import assert from "node:assert/strict";
import { aliasFromName, aliasProblem, uniqueAlias } from "../../src/config/alias.ts";
import { parseConfig } from "../../src/config/toml.ts";
import { buildConfig } from "../helpers/fixtures.ts";

Deno.test("alias: derived from the account name as the official CLI does", () => {
  const cases: [string, string][] = [
    ["Test Account", "test-account"],
    ["Acme & Co.", "acme-and-co"],
    ["Acme_Prod", "acmeprod"],
    ["Acme-Prod", "acme-prod"],
    ["Acme–Prod", "acme-prod"], // slugify 1.6.9 maps the en dash to "-"
    ["42 Labs", "account-42-labs"],
    ["!!!", "default"],
    ["Müller GmbH", "muller-gmbh"],
  ];
  for (const [name, alias] of cases) assert.equal(aliasFromName(name), alias, name);
});

Deno.test("alias: suffixed when another account holds it", () => {
  const config = parseConfig(
    buildConfig([{ alias: "acme", id: "A" }, { alias: "acme-2", id: "B" }]),
    "c",
  );
  assert.equal(uniqueAlias(config, "acme", "A"), "acme");
  assert.equal(uniqueAlias(config, "acme", "C"), "acme-3");
  assert.equal(uniqueAlias(config, "fresh", "C"), "fresh");
});

Deno.test("alias: typed aliases start with a letter and use letters, digits, - and _", () => {
  for (const good of ["good_alias-2", "MyCompany", "myCompany", "a"]) {
    assert.equal(aliasProblem(good), undefined, good);
  }
  for (const bad of ["2bad", "bad alias", "-x", "", "é", "café", "a.b"]) {
    // Which letters: é is a letter, so the message says ASCII.
    assert.match(
      aliasProblem(bad)!,
      /must start with an ASCII letter \(a-z, A-Z\) and contain only ASCII letters, digits/,
      bad,
    );
  }
});
