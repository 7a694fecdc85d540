import assert from "node:assert/strict";
import { readSettings } from "../src/settings.ts";
import { CliError } from "../src/errors.ts";

const EVIL = "x\x1b]0;pwned\x07\u009b2J\ry";

Deno.test("settings: a refused flag or variable is quoted without its control characters", () => {
  const cases: [string, Record<string, string>, Record<string, string>, RegExp][] = [
    ["--oauth-host", {}, { oauthHost: EVIL }, /^--oauth-host must be a host name/],
    ["--control-host", {}, { controlHost: EVIL }, /^--control-host must be a host name/],
    ["ABLY_OAUTH_HOST", { ABLY_OAUTH_HOST: EVIL }, {}, /^ABLY_OAUTH_HOST must/],
    ["ABLY_CONTROL_HOST", { ABLY_CONTROL_HOST: EVIL }, {}, /^ABLY_CONTROL_HOST must/],
    ["ABLY_DASHBOARD_HOST", { ABLY_DASHBOARD_HOST: EVIL }, {}, /^ABLY_DASHBOARD_HOST must/],
    ["ABLY_OAUTH_TIMEOUT_MS", { ABLY_OAUTH_TIMEOUT_MS: EVIL }, {}, /^ABLY_OAUTH_TIMEOUT_MS/],
    ["ABLY_CONTROL_TIMEOUT_MS", { ABLY_CONTROL_TIMEOUT_MS: EVIL }, {}, /^ABLY_CONTROL_TIMEOUT/],
    ["lock timeout", { ABLY_CONFIG_LOCK_TIMEOUT_MS: EVIL }, {}, /^ABLY_CONFIG_LOCK_TIMEOUT/],
    ["credential store", { ABLY_CLI_CREDENTIAL_STORE: EVIL }, {}, /^ABLY_CLI_CREDENTIAL_STORE/],
  ];
  for (const [what, vars, flags, message] of cases) {
    const env = (name: string) => ({ ABLY_CLI_CONFIG_DIR: "/tmp/x", ...vars })[name];
    const error = (() => {
      try {
        readSettings(env, flags, ["keychain"]);
      } catch (error) {
        return error;
      }
    })();
    assert.ok(error instanceof CliError, what);
    assert.equal(error.exitCode, 2, what);
    assert.match(error.message, message, what);
    // deno-lint-ignore no-control-regex
    assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(error.message), `${what}: ${error.message}`);
    assert.ok(error.message.includes('"x?]0;pwned??2J?y"'), `${what}: ${error.message}`);
  }
});
