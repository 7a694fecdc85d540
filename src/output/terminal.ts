/**
 * The one rule for text that reaches a terminal: no C0 or C1 control character
 * and so no escape sequence (window title, screen clear, OSC 8 link, cursor
 * moves) gets there raw, whatever the text's origin (config, server, flag,
 * variable). Each one is shown as its `\uXXXX` escape, as JSON would, so a
 * tampered value is visible instead of acted on. Line breaks (`\n`, `\r\n`) and
 * tabs stay: our own messages are laid out with them and they move nothing.
 *
 * Pure and import-free: the reporter applies it to every human line, and the
 * prompter to every question.
 */

// deno-lint-ignore no-control-regex
const CONTROL = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
// deno-lint-ignore no-control-regex
const ANY_CONTROL = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** `text` with every control character but line breaks and tabs shown as `\uXXXX`. */
export function neutralise(text: string): string {
  return ANY_CONTROL.test(text) ? text.replace(CONTROL, escaped) : text;
}

function escaped(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * A filter that lets through exactly the styled segments this run painted
 * (their text was neutralised when painted) and neutralises everything else.
 * A segment is recognised by its whole text, so a config value that merely
 * contains the same colour codes is not: it cannot hide or recolour anything.
 */
export interface TerminalFilter {
  /** Records a painted segment `open + text + close`; returns it. */
  painted(open: string, text: string, close: string): string;
  /** `line` fit for a terminal. */
  clean(line: string): string;
}

export function terminalFilter(): TerminalFilter {
  const segments = new Set<string>();
  /** The lengths of the segments, longest first: a lookup per escape character. */
  let lengths: number[] = [];
  const clean = (line: string): string => {
    if (!ANY_CONTROL.test(line)) return line;
    if (segments.size === 0) return neutralise(line);
    let out = "";
    let from = 0;
    for (let at = line.indexOf("\x1b"); at !== -1; at = line.indexOf("\x1b", at)) {
      const length = lengths.find((n) => segments.has(line.slice(at, at + n)));
      if (length === undefined) {
        at++;
        continue;
      }
      out += neutralise(line.slice(from, at)) + line.slice(at, at + length);
      at += length;
      from = at;
    }
    return out + neutralise(line.slice(from));
  };
  return {
    painted(open, text, close) {
      const segment = open + clean(text) + close;
      if (!segments.has(segment)) {
        segments.add(segment);
        if (!lengths.includes(segment.length)) {
          lengths = [...lengths, segment.length].sort((a, b) => b - a);
        }
      }
      return segment;
    },
    clean,
  };
}
