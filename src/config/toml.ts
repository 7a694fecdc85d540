/**
 * The config file's format: TOML read into the config's shape (or refused with the
 * line and column), and written back exactly as the official CLI writes it (the same
 * library, smol-toml). Knows text, not files.
 */
import { parse, stringify } from "smol-toml";
import { ConfigError } from "./errors.ts";
import { messageOf } from "./files.ts";
import { normalise, shapeProblem } from "./validate.ts";
import type { AblyConfig } from "./schema.ts";

export function parseConfig(text: string, path: string): AblyConfig {
  let parsed: Record<string, unknown>;
  try {
    parsed = parse(text);
  } catch (error) {
    const { line, column } = error as { line?: number; column?: number };
    const where = line ? ` at line ${line}, column ${column}` : "";
    const reason = messageOf(error).split("\n")[0].replace(/^Invalid TOML document: /, "");
    throw new ConfigError(
      `Ably config ${path} is not valid TOML${where}: ${reason}. ` +
        "It was left unchanged; fix or remove it and try again.",
      path,
      { cause: error },
    );
  }
  const problem = shapeProblem(parsed);
  if (problem) {
    throw new ConfigError(
      `Ably config ${path} is not an Ably config: ${problem}. It was left unchanged; fix or remove it and try again.`,
      path,
    );
  }
  return normalise(parsed as AblyConfig);
}

/** The exact bytes the official CLI would write for the same object. */
export function serializeConfig(config: AblyConfig): string {
  return stringify(config);
}

/** Serialises, or explains (e.g. a table nested too deep) with nothing changed. */
export function serializeFor(path: string, config: AblyConfig): string {
  try {
    return serializeConfig(config);
  } catch (error) {
    throw new ConfigError(
      `Failed to save Ably config ${path}: it cannot be written as TOML (${messageOf(error)}). ` +
        "Nothing was changed.",
      path,
      { cause: error },
    );
  }
}
