/**
 * The characters no text from outside (config, server, flag, variable) may bring to a
 * terminal, or into an identifier, as they are; defined once for the terminal filter, the
 * server decoders, quoted user input and JSON output. Two kinds:
 *
 * - C0 and C1 control characters: escape sequences (window title, screen clear, links,
 *   cursor moves), a one-character CSI.
 * - Invisible format characters that reorder or hide text: bidirectional embeddings,
 *   overrides, isolates and marks (`Admin\u202Egnp.exe` shows as `Adminexe.png`), zero-width
 *   spaces, the byte-order mark, Unicode tags (which can smuggle text no one sees), and the
 *   line and paragraph separators. The zero-width joiner stays in names, where emoji are
 *   built with it, but not in identifiers.
 *
 * Pure and import-free: it is on the path of every line the CLI prints.
 */

// Built from strings: the lint's parser does not know the `v` flag's set subtraction.
const C0_BUT_LAYOUT = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f";
const C0 = "\\u0000-\\u001f";
const DEL_C1 = "\\u007f-\\u009f";
/** Hidden characters, the zero-width joiner excepted. */
const HIDDEN = "\\u2028\\u2029[\\p{Cf}--\\u200d]";

/** A pattern built on first use: the `v` flag's Unicode sets cost a little to build. */
function lazily(source: () => string, flags: string): () => RegExp {
  let built: RegExp | undefined;
  return () => built ??= new RegExp(source(), flags);
}

const TERMINAL = () => `\\r(?!\\n)|[${C0_BUT_LAYOUT}${DEL_C1}${HIDDEN}]`;
const ID = () => `[${C0}${DEL_C1}\\u2028\\u2029\\p{Cf}]`;

/** For terminal lines: everything above except line breaks (`\n`, `\r\n`) and tabs. */
export const terminalUnsafe = lazily(TERMINAL, "v");
export const terminalUnsafeAll = lazily(TERMINAL, "gv");

/** For names shown on one line: runs of control and hidden characters (not the joiner). */
export const nameUnsafeAll = lazily(() => `[${C0}${DEL_C1}${HIDDEN}]+`, "gv");

/** For identifiers, tokens and addresses: any of them, the joiner included. */
export const idUnsafe = lazily(ID, "v");
export const idUnsafeAll = lazily(ID, "gv");

/** For JSON text: what JSON.stringify leaves raw (it escapes C0 itself). */
export const jsonUnsafeAll = lazily(() => `[${DEL_C1}${HIDDEN}]`, "gv");

/** A character (one UTF-16 unit or a pair) as its JSON-style `\uXXXX` escape(s). */
export function escapedChar(char: string): string {
  let out = "";
  for (let i = 0; i < char.length; i++) {
    out += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
  }
  return out;
}
