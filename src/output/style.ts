/** ANSI styling that collapses to plain text when colour is off. */
export interface Style {
  cyan(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const codes = {
  cyan: [36, 39],
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  dim: [2, 22],
  bold: [1, 22],
} as const;

/**
 * `painted`, when given, records each styled segment (the reporter's terminal filter):
 * only segments painted here keep their escape codes on the way out.
 */
export function createStyle(
  enabled: boolean,
  painted?: (open: string, text: string, close: string) => string,
): Style {
  const paint = ([open, close]: readonly [number, number]) => (text: string) =>
    !enabled
      ? text
      : painted
      ? painted(`\x1b[${open}m`, text, `\x1b[${close}m`)
      : `\x1b[${open}m${text}\x1b[${close}m`;
  return {
    cyan: paint(codes.cyan),
    green: paint(codes.green),
    yellow: paint(codes.yellow),
    red: paint(codes.red),
    dim: paint(codes.dim),
    bold: paint(codes.bold),
  };
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}
