/** A copy of a config that is safe to show: tokens and API key secrets replaced. */
import type { AblyConfig } from "./schema.ts";

const SECRET_KEYS = new Set(["accessToken", "refreshToken"]);
export const MASK = "[masked]";

export function maskSecrets(config: AblyConfig): AblyConfig {
  return mask(structuredClone(config)) as AblyConfig;
}

function mask(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => mask(item));
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      (value as Record<string, unknown>)[k] = mask(v, k);
    }
    return value;
  }
  if (typeof value !== "string") return value;
  if (key && SECRET_KEYS.has(key)) return MASK;
  // `appId.keyId:secret`: the name part identifies the key, the secret is masked.
  if (key === "apiKey") return value.includes(":") ? `${value.split(":")[0]}:${MASK}` : MASK;
  return value;
}
