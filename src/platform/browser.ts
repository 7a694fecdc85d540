/** Opens a URL in the user's browser (whether there is a desktop is a setting). */
import { isLoopback } from "../http.ts";

/**
 * False when no opener could be started or it failed at once (xdg-open without a
 * desktop browser does). Only web addresses are opened (https, or http on
 * loopback): a server must not make us launch a file.
 */
export async function openBrowser(url: string): Promise<boolean> {
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

export function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname));
  } catch {
    return false;
  }
}
