/**
 * Prints the Homebrew formula for a release, rendered from
 * packaging/homebrew/ably.rb.tmpl.
 *
 * Usage: deno run --allow-read scripts/render_formula.ts VERSION BASE_URL SHA256SUMS [HOMEPAGE]
 *   VERSION     e.g. 0.1.0 (no leading "v")
 *   BASE_URL    where the archives are, e.g. https://github.com/OWNER/REPO/releases/download/v0.1.0
 *   SHA256SUMS  path to a `sha256sum` listing that names ably-VERSION-TARGET.tar.gz
 *   HOMEPAGE    defaults to the GitHub repository of BASE_URL, else BASE_URL
 */

/** The archives the formula installs, by the suffix of their placeholder. */
export const FORMULA_TARGETS = [
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
] as const;

export interface FormulaInput {
  version: string;
  baseUrl: string;
  homepage?: string;
  /** File name to lower-case hex SHA-256, as parsed by {@link parseChecksums}. */
  checksums: Map<string, string>;
}

const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
// Safe inside a double-quoted Ruby string: no quotes, backslashes, `#{` or spaces.
const URL_CHARS = /^https:\/\/[A-Za-z0-9._~:/?&=%+-]+$/;

export function archiveName(version: string, target: string): string {
  return `ably-${version}-${target}.tar.gz`;
}

/** Parses `sha256sum` output (text or `*binary` mode). */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line) continue;
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!match) throw new Error(`SHA256SUMS line ${index + 1} is not "<sha256>  <file>": ${line}`);
    sums.set(match[2].replace(/^.*\//, ""), match[1].toLowerCase());
  }
  return sums;
}

export function defaultHomepage(baseUrl: string): string {
  return /^(https:\/\/github\.com\/[^/]+\/[^/]+)\/releases\//.exec(baseUrl)?.[1] ?? baseUrl;
}

export function renderFormula(template: string, input: FormulaInput): string {
  const { version, checksums } = input;
  const baseUrl = input.baseUrl.replace(/\/+$/, "");
  const homepage = input.homepage ?? defaultHomepage(baseUrl);
  if (!VERSION.test(version)) throw new Error(`not a release version: ${version}`);
  for (const url of [baseUrl, homepage]) {
    if (!URL_CHARS.test(url)) throw new Error(`not a plain https URL: ${url}`);
  }

  const values = new Map<string, string>([
    ["VERSION", version],
    ["BASE_URL", baseUrl],
    ["HOMEPAGE", homepage],
  ]);
  for (const target of FORMULA_TARGETS) {
    const file = archiveName(version, target);
    const sum = checksums.get(file);
    if (!sum) throw new Error(`SHA256SUMS has no entry for ${file}`);
    values.set(`SHA256_${target.toUpperCase().replaceAll("-", "_")}`, sum);
  }

  return template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (placeholder, name: string) => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`unknown placeholder ${placeholder} in the template`);
    return value;
  });
}

if (import.meta.main) {
  const [version, baseUrl, sumsPath, homepage] = Deno.args;
  if (!version || !baseUrl || !sumsPath || Deno.args.length > 4) {
    console.error("usage: render_formula.ts VERSION BASE_URL SHA256SUMS [HOMEPAGE]");
    Deno.exit(2);
  }
  try {
    const template = await Deno.readTextFile(
      new URL("../packaging/homebrew/ably.rb.tmpl", import.meta.url),
    );
    const checksums = parseChecksums(await Deno.readTextFile(sumsPath));
    console.log(renderFormula(template, { version, baseUrl, homepage, checksums }).trimEnd());
  } catch (error) {
    console.error(`render_formula: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
