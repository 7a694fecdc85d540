/** Opens a URL in the user's browser, when there is a desktop to open it on. */
import type { Env } from "../cli.ts";

export function canOpenBrowser(env: Env): boolean {
  if (Deno.build.os === "linux") return Boolean(env("DISPLAY") || env("WAYLAND_DISPLAY"));
  return Deno.build.os === "darwin" || Deno.build.os === "windows";
}

/** Best effort: false when no opener could be started. */
export function openBrowser(url: string): boolean {
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
