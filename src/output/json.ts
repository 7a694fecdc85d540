/** JSON records: the envelope every record shares, and compact or pretty rendering. */

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

export function renderJson(value: unknown, pretty: boolean, color: boolean): string {
  if (!pretty) return JSON.stringify(value);
  const text = JSON.stringify(value, null, 2);
  return color ? colorize(text) : text;
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
