/**
 * The one rule for text that reaches a terminal: no control character (so no
 * escape sequence: window title, screen clear, OSC 8 link, cursor moves) and no
 * invisible format character (a bidirectional override that reorders a name)
 * gets there raw, whatever the text's origin (config, server, flag, variable).
 * Each one is shown as its `\uXXXX` escape, as JSON would, so a tampered value is
 * visible instead of acted on. Line breaks (`\n`, `\r\n`) and tabs stay: our own
 * messages are laid out with them and they move nothing. Which characters: see
 * `characters.ts`.
 *
 * Pure: the reporter applies it to every human line, and the prompter to every
 * question.
 */
import { escapedChar, terminalUnsafe, terminalUnsafeAll } from "../characters.ts";

/** `text` with every unsafe character (line breaks and tabs are not) shown as `\uXXXX`. */
export function neutralise(text: string): string {
  return terminalUnsafe().test(text) ? text.replace(terminalUnsafeAll(), escapedChar) : text;
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
    if (!terminalUnsafe().test(line)) return line;
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
