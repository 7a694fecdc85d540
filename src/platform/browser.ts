/** Opens a URL in the user's browser (whether there is a desktop is a setting). */
import { isLoopback } from "../http.ts";

/**
 * False when no opener could be started or it failed at once (xdg-open without a
 * desktop browser does). Only web addresses are opened (https, or http on
 * loopback): a server must not make us launch a file.
 */
export async function openBrowser(url: string): Promise<boolean> {
  if (!isWebAddress(url)) return false;
  const [program, ...args] = openerCommand(Deno.build.os, url);
  try {
    const child = new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Openers hand over to the browser and exit; one still running after 2 s is taken as working.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settled = await Promise.race([
      child.status,
      new Promise<undefined>((resolve) => timer = setTimeout(() => resolve(undefined), 2000)),
    ]);
    clearTimeout(timer);
    if (settled === undefined) child.unref();
    return settled?.success ?? true;
  } catch {
    return false;
  }
}

/** Every program openerCommand may run: the `ably` task's `--allow-run` list. */
export const OPENERS = ["xdg-open", "open", "rundll32"] as const;

/**
 * The opener and its arguments for an OS. On Windows, `explorer URL` exits 1 even when it
 * opens the page and is reported to cut URLs at their query string, and `cmd /c start` would
 * parse `&`, `^` and `%` in the URL itself; `rundll32 url.dll,FileProtocolHandler URL` hands
 * the rest of its command line, unparsed, to the default browser, and exits 0. The URL is
 * passed normalised (`href` percent-encodes spaces and quotes), so it is always one word.
 */
export function openerCommand(os: typeof Deno.build.os, url: string): string[] {
  const href = new URL(url).href;
  if (os === "darwin") return ["open", href];
  if (os === "windows") return ["rundll32", "url.dll,FileProtocolHandler", href];
  return ["xdg-open", href];
}

export function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname));
  } catch {
    return false;
  }
}
