/**
 * Environment variables as lines a shell (or a dotenv reader) takes back exactly: each
 * value quoted in the one form of that shell in which no character is special, and a
 * variable without a value unset, so an earlier value does not linger. Pure text; the
 * values were checked to be printable ASCII before they got here.
 */

export type EnvFormat = "sh" | "fish" | "powershell" | "dotenv" | "json";

/** A variable and its value; `undefined`: it has none here (unset it). */
export type EnvVariable = readonly [name: string, value: string | undefined];

/** Characters every dotenv reader takes unquoted and unchanged. */
const DOTENV_PLAIN = /^[A-Za-z0-9_.:/+=@%,-]*$/;

/** The lines that set (or unset) `variables` in `format`. */
export function envLines(format: EnvFormat, variables: readonly EnvVariable[]): string[] {
  if (format === "json") {
    return [JSON.stringify(Object.fromEntries(variables.map(([n, v]) => [n, v ?? null])))];
  }
  return variables.flatMap(([name, value]) => {
    const line = value === undefined ? unset(format, name) : set(format, name, value);
    return line === undefined ? [] : [line];
  });
}

function set(format: Exclude<EnvFormat, "json">, name: string, value: string): string {
  switch (format) {
    case "sh":
      // POSIX single quotes: nothing inside is special; a quote closes, is escaped, reopens.
      return `export ${name}='${value.replaceAll("'", `'\\''`)}'`;
    case "fish":
      // fish single quotes: only \ and ' are special inside, each escaped with \.
      return `set -gx ${name} '${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
    case "powershell":
      // A verbatim string: only ' is special, doubled.
      return `$env:${name} = '${value.replaceAll("'", "''")}'`;
    case "dotenv":
      return `${name}=${DOTENV_PLAIN.test(value) ? value : `'${value}'`}`;
  }
}

function unset(format: Exclude<EnvFormat, "json">, name: string): string | undefined {
  switch (format) {
    case "sh":
      return `unset ${name}`;
    case "fish":
      return `set -e ${name}`;
    case "powershell":
      return `Remove-Item Env:${name} -ErrorAction SilentlyContinue`;
    case "dotenv":
      // A file cannot unset a variable: it is left out.
      return undefined;
  }
}

/**
 * Why `value` cannot be written as dotenv so that every reader gets it back unchanged: a
 * quote or a backslash inside single quotes is read differently by different readers.
 */
export function dotenvProblem(value: string): string | undefined {
  if (DOTENV_PLAIN.test(value) || !/['\\]/.test(value)) return undefined;
  return "has a quote or a backslash, which dotenv readers take differently";
}
