/**
 * A credential a person hands in, checked where it enters (an argument, standard input, a
 * prompt, ABLY_ACCESS_TOKEN). Every Ably token and key is printable ASCII without spaces, so
 * anything else (a NUL, an escape, a byte that is not UTF-8, a right-to-left mark) could only
 * reach an HTTP header, an error message or the config as something broken. The problem is
 * named by kind and position, never by showing the token.
 */

/** As long as a token from a server may be (`oauth/tokens.ts`). */
export const MAX_TOKEN_LENGTH = 8192;

/** What is wrong with `token`, or `undefined` when it could be one. */
export function tokenProblem(token: string): string | undefined {
  if (token.length > MAX_TOKEN_LENGTH) {
    return `is ${token.length} characters long; a token is at most ${MAX_TOKEN_LENGTH}`;
  }
  for (let at = 0; at < token.length; at++) {
    const code = token.charCodeAt(at);
    if (code > 0x20 && code < 0x7f) continue;
    const kind = code === 0x20
      ? "a space"
      : code < 0x20 || code === 0x7f
      ? "a control character"
      : code === 0xfffd
      ? "a byte that is not UTF-8"
      : "a character outside printable ASCII";
    return `has ${kind} at position ${at + 1}, which no token has`;
  }
  return undefined;
}
