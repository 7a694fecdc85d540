/**
 * Keeps secrets out of text shown to people. Pure and import-free: the command
 * layer runs every printed line through it, and the HTTP clients every message
 * built from server text.
 */

export const REDACTED = "[redacted]";

/** Shorter strings are not tokens, and removing them would shred ordinary text. */
const MIN_SECRET_LENGTH = 4;

// Tokens in well-known shapes, whatever their value: `Bearer x`, form fields
// `access_token=x` / `refresh_token=x` / `token=x` (the revocation form), and
// the same names as JSON string members (`"refresh_token": "x"`, escaped too).
const BEARER = /\b(bearer(?:\s+|%20|\+))(?!\[redacted\])[^\s"'<>,;&]+/gi;
const FORM_FIELD = /\b((?:access_|refresh_)?token(?:=|%3D))(?!\[redacted\])[^\s"'<>,;&]+/gi;
const JSON_FIELD = /\b((?:access_|refresh_)?token\\?"\s*:\s*\\?")(?!\[redacted\])[^"\\]+/gi;

const cache = new Map<string, RegExp[]>();

/**
 * `text` without any of `secrets`: raw, in any letter case, percent-encoded
 * (`+` for spaces, double-encoded too), JSON-escaped, or base64/base64url-encoded
 * (also inside a longer base64 string), plus the generic token shapes above.
 */
export function redact(
  text: string,
  secrets: Iterable<string | undefined> = [],
  options: { shapes?: boolean } = {},
): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    for (const pattern of patternsFor(secret)) out = out.replace(pattern, REDACTED);
  }
  // Our own output has fields named `token` that hold no secret: the shapes are for server text.
  if (options.shapes === false) return out;
  return out.replace(BEARER, `$1${REDACTED}`).replace(FORM_FIELD, `$1${REDACTED}`)
    .replace(JSON_FIELD, `$1${REDACTED}`);
}

function patternsFor(secret: string): RegExp[] {
  let patterns = cache.get(secret);
  if (patterns) return patterns;
  // Each character may come back in any of its encodings, so mixed encodings match too.
  const textual = new RegExp([...secret].map(charPattern).join(""), "gi");
  const base64 = base64Forms(secret).map((form) => new RegExp(escape(form), "g"));
  patterns = [textual, ...base64];
  if (cache.size > 256) cache.clear(); // bounded: callers pass a handful of tokens
  cache.set(secret, patterns);
  return patterns;
}

function charPattern(char: string): string {
  const forms = [escape(char)];
  const bytes = new TextEncoder().encode(char);
  // Every character, letters and digits too (over-eager encoders), once and twice encoded.
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0"));
  forms.push(hex.map((h) => `%${h}`).join(""), hex.map((h) => `%25${h}`).join(""));
  const units = [];
  for (let i = 0; i < char.length; i++) {
    units.push(`\\\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`);
  }
  forms.push(units.join(""));
  if (char === " ") forms.push("\\+");
  if (char === "/" || char === '"' || char === "\\") forms.push(`\\\\${escape(char)}`);
  return `(?:${forms.join("|")})`;
}

/**
 * The secret's base64 and base64url forms, padded and not, and the part of its
 * encoding that is the same at every byte offset (when it is embedded in a longer
 * base64 string, e.g. Basic credentials `client:token`).
 */
function base64Forms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const forms = new Set<string>();
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const encoded = btoa(String.fromCharCode(...padded));
    const start = offset === 0 ? 0 : 4;
    const core = encoded.slice(start, Math.floor(padded.length / 3) * 4);
    if (offset === 0) forms.add(encoded).add(encoded.replace(/=+$/, ""));
    if (core.length >= 8) forms.add(core);
  }
  for (const form of [...forms]) {
    forms.add(form.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""));
  }
  // Longest first, so a shorter core never leaves the ends of a longer form behind.
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) =>
    b.length - a.length
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}
