/** JSON records: the envelope every record shares, and compact or pretty rendering. */
import { escapedChar, jsonUnsafeAll } from "../characters.ts";

export type RecordType = "result" | "error" | "event" | "status" | "log";

/**
 * `type`, `command`, then `success` for results and errors, then the payload.
 * Payload keys that would shadow the envelope are dropped.
 */
export function envelope(
  type: RecordType,
  command: string,
  payload: Record<string, unknown>,
): Record<string, unknown> {
  const record: Record<string, unknown> = { type, command };
  if (type === "result") record.success = payload.success ?? true;
  if (type === "error") record.success = false;
  for (const [key, value] of Object.entries(payload)) {
    if (key === "type" || key === "command" || key === "success") continue;
    record[key] = value;
  }
  return record;
}

/**
 * JSON.stringify escapes C0 controls but leaves DEL, C1 (U+0080–U+009F, e.g. U+009B, a
 * one-character CSI) and invisible format characters (a bidirectional override) raw; outside
 * strings JSON has none, so they are escaped here too: the same value, safe on a terminal.
 */
export function renderJson(value: unknown, pretty: boolean, color: boolean): string {
  const raw = pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
  const text = raw.replace(jsonUnsafeAll(), escapedChar);
  return pretty && color ? colorize(text) : text;
}

const TOKEN =
  /("(?:\\.|[^"\\])*")(\s*:)?|\b(?:true|false)\b|\bnull\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** Keys white, strings green, numbers magenta, booleans cyan, null red (as color-json). */
function colorize(text: string): string {
  return text.replace(TOKEN, (match, str: string | undefined, colon: string | undefined) => {
    if (str !== undefined) return colon ? `\x1b[37m${str}\x1b[0m${colon}` : paint(32, match);
    if (match === "null") return paint(31, match);
    if (match === "true" || match === "false") return paint(36, match);
    return paint(35, match);
  });
}

function paint(code: number, text: string): string {
  return `\x1b[${code}m${text}\x1b[0m`;
}
