/** Opens a URL in the user's browser (whether there is a desktop is a setting). */
import { isLoopback } from "../http.ts";

/**
 * Best effort: false when no opener could be started. Only web addresses are
 * opened (https, or http on loopback): a server must not make us launch a file.
 */
export function openBrowser(url: string): boolean {
  if (!isWebAddress(url)) return false;
  const [program, ...args] = Deno.build.os === "darwin"
    ? ["open", url]
    : Deno.build.os === "windows"
    ? ["explorer", url]
    : ["xdg-open", url];
  try {
    const child = new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    child.unref();
    return true;
  } catch {
    return false;
  }
}

export function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname));
  } catch {
    return false;
  }
}
