/** A copy of a config that is safe to show: tokens and API key secrets replaced. */
import type { AblyConfig } from "./schema.ts";

const SECRET_KEYS = new Set(["accessToken", "refreshToken"]);
export const MASK = "[masked]";

export function maskSecrets(config: AblyConfig): AblyConfig {
  return mask(structuredClone(config)) as AblyConfig;
}

function mask(value: unknown, key?: string): unknown {
  // Whatever shape a secret has (string, array, table), none of it is shown.
  if (key && SECRET_KEYS.has(key)) return MASK;
  if (key === "apiKey") {
    return typeof value === "string" && value.includes(":")
      ? `${value.split(":")[0]}:${MASK}`
      : MASK;
  }
  if (Array.isArray(value)) return value.map((item) => mask(item));
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      (value as Record<string, unknown>)[k] = mask(v, k);
    }
    return value;
  }
  return value;
}

/** Every secret the config holds (tokens, API key secrets), whatever its shape, to keep out of output. */
export function secretsOf(config: AblyConfig): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key?: string): void => {
    if (typeof value === "string") {
      if (key && SECRET_KEYS.has(key)) found.push(value);
      else if (key === "apiKey") found.push(value.includes(":") ? value.split(":").pop()! : value);
    } else if (Array.isArray(value)) {
      for (const item of value) walk(item, key);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  walk(config);
  return found;
}
