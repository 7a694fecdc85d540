/** Config files as the official CLI writes them (reference §3.4), and builders for more. */
import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/toml.ts";
import type { Plan } from "../../src/config/store.ts";
import type { AblyConfig } from "../../src/config/schema.ts";

/** Every generated test token contains this marker; no output may contain it. */
export const SECRET_MARKER = "SeCrEt";

export const SAMPLE_OAUTH = `[accounts.acme-ltd]
accountId = "VgQpOZ"
accountName = "Acme Ltd"
authMethod = "oauth"
currentAppId = "aBcDeF"
oauthSessionKey = "jane@acme.example::ably.com"
userEmail = "jane@acme.example"

[accounts.acme-ltd.apps.aBcDeF]
apiKey = "aBcDeF.kEy123:s3cr3tS3cr3t"
keyId = "kEy123"
keyName = "Root"

[oauthSessions."jane@acme.example::ably.com"]
accessToken = "ably_oat_3f9c0d2e7b1a4c58"
accessTokenExpiresAt = 1767225600000
oauthScope = "full_access"
refreshToken = "ably_ort_91b2c7d4e5f60718"

[current]
account = "acme-ltd"
`;

export const SAMPLE_SHARED = `[accounts.acme-ltd]
accountId = "VgQpOZ"
accountName = "Acme Ltd"
authMethod = "oauth"
currentAppId = "aBcDeF"
oauthSessionKey = "jane@acme.example::ably.com"
userEmail = "jane@acme.example"

[accounts.acme-ltd.apps.aBcDeF]
apiKey = "aBcDeF.kEy123:s3cr3tS3cr3t"
keyId = "kEy123"
keyName = "Root"

[accounts.acme-staging]
accountId = "Xy12Ab"
accountName = "Acme Staging"
authMethod = "oauth"
oauthSessionKey = "jane@acme.example::ably.com"
userEmail = "jane@acme.example"

[accounts.acme-staging.apps]
[oauthSessions."jane@acme.example::ably.com"]
accessToken = "ably_oat_3f9c0d2e7b1a4c58"
accessTokenExpiresAt = 1767225600000
refreshToken = "ably_ort_91b2c7d4e5f60718"

[current]
account = "acme-staging"
`;

export const SAMPLE_LEGACY = `[current]
account = "default"
app = "aBcDeF"

[accounts.default]
accessToken = "ably_legacy_token_5b7d2c9e"
accountId = "VgQpOZ"
accountName = "Acme Ltd"
userEmail = "jane@acme.example"
tokenId = "unknown"

[accounts.default.apps.aBcDeF]
apiKey = "aBcDeF.kEy123:s3cr3tS3cr3t"
appName = "My App"
keyId = "aBcDeF.kEy123"
keyName = "Root"
`;

export const SAMPLE_CUSTOM_HOSTS = `[accounts.review]
accountId = "Rv1AbC"
accountName = "Review"
authMethod = "oauth"
controlHost = "review-abc.herokuapp.com"
oauthHost = "review-abc.herokuapp.com"
oauthSessionKey = "dev@acme.example::review-abc.herokuapp.com"
userEmail = "dev@acme.example"

[accounts.review.apps]
[oauthSessions."dev@acme.example::review-abc.herokuapp.com"]
accessToken = "at_review"
accessTokenExpiresAt = 1767225600000
oauthScope = "full_access"
refreshToken = "rt_review"

[current]
account = "review"
`;

export const ALL_SECRETS = [
  SECRET_MARKER,
  "ably_oat_3f9c0d2e7b1a4c58",
  "ably_ort_91b2c7d4e5f60718",
  "ably_legacy_token_5b7d2c9e",
  "s3cr3tS3cr3t",
];

export interface AccountSpec {
  alias: string;
  id?: string;
  name?: string;
  /** OAuth session issuer host; absent = legacy token account. */
  issuer?: string;
  /** Email owning the session; aliases with the same email and issuer share it. */
  email?: string;
  oauthHost?: string;
}

export function accessTokenOf(email: string): string {
  return `at_${email}_${SECRET_MARKER}`;
}
export function refreshTokenOf(email: string): string {
  return `rt_${email}_${SECRET_MARKER}`;
}

/** A config in the official CLI's layout: accounts, then sessions, then `[current]`. */
export function buildConfig(accounts: AccountSpec[], current?: string): string {
  const lines: string[] = [];
  const sessions = new Map<string, string>();
  for (const spec of accounts) {
    const email = spec.email ?? `${spec.alias}@example.com`;
    lines.push(`[accounts.${spec.alias}]`);
    lines.push(`accountId = "${spec.id ?? `id-${spec.alias}`}"`);
    lines.push(`accountName = "${spec.name ?? `Account ${spec.alias}`}"`);
    if (spec.issuer) {
      const key = `${email}::${spec.issuer}`;
      sessions.set(key, email);
      lines.push(`authMethod = "oauth"`);
      if (spec.oauthHost) lines.push(`oauthHost = "${spec.oauthHost}"`);
      lines.push(`oauthSessionKey = "${key}"`);
    } else {
      lines.push(`accessToken = "legacy_${spec.alias}_${SECRET_MARKER}"`);
    }
    lines.push(`userEmail = "${email}"`, "");
    lines.push(`[accounts.${spec.alias}.apps]`);
  }
  for (const [key, email] of sessions) {
    lines.push(`[oauthSessions."${key}"]`);
    lines.push(`accessToken = "${accessTokenOf(email)}"`);
    lines.push(`accessTokenExpiresAt = 1767225600000`);
    lines.push(`oauthScope = "full_access"`);
    lines.push(`refreshToken = "${refreshTokenOf(email)}"`, "");
  }
  if (current) lines.push("[current]", `account = "${current}"`, "");
  else lines.push("[current]", "");
  return lines.join("\n");
}

/**
 * Holds the config lock until `release()` is called: as another ably process would, with
 * `pid` recorded in it and its heartbeat (the file touched every 500 ms); without `pid`, as
 * anything else that locks the file would (nothing written, no heartbeat).
 */
export async function holdConfigLock(
  dir: string,
  pid?: number,
): Promise<{ release(): Promise<void> }> {
  const lock = await Deno.open(`${dir}/config.lock`, { read: true, write: true, create: true });
  await lock.lock(true);
  let beat: ReturnType<typeof setInterval> | undefined;
  if (pid !== undefined) {
    await lock.truncate(0);
    await lock.write(new TextEncoder().encode(`${pid}\n`));
    beat = setInterval(() => lock.utimeSync(new Date(), new Date()), 500);
  }
  return {
    async release() {
      clearInterval(beat);
      await lock.unlock();
      lock.close();
    },
  };
}

/** The aliases of the accounts in a config file's text, in file order. */
export function aliasesIn(text: string): string[] {
  return Object.keys(parseConfig(text, "config").accounts ?? {});
}

/** `config` with account `alias` sending its Control API requests to `host`. */
export function withControlHost(config: string, alias: string, host: string): string {
  const header = `[accounts.${alias}]\n`;
  assert.ok(config.includes(header), `no ${header}`);
  return config.replace(header, `${header}controlHost = "${host}"\n`);
}

/** An OAuth account `acme` (current) whose session `issuer` minted, and a legacy one beside it. */
export function acmeOAuthWithLegacy(issuer: string, extra: { oauthHost?: string } = {}): string {
  return buildConfig([
    { alias: "acme", id: "VgQpOZ", issuer, email: "jane@acme.example", ...extra },
    { alias: "legacy", id: "Lg1" },
  ], "acme");
}

/** A config update that adds account `alias` (its ID the alias too). */
export function addAccount(alias: string) {
  return (config: AblyConfig): Plan<void> => {
    config.accounts![alias] = { accountId: alias };
    return { changed: true, value: undefined };
  };
}
