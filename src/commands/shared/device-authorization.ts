/**
 * The device authorization step of login (RFC 8628): show the code and URL,
 * open the browser when there is one, wait for approval with a spinner;
 * Ctrl-C cancels.
 */
import type { Context } from "../../context.ts";
import { CliError } from "../../errors.ts";
import { OAuthError, pollForTokens, requestDeviceCode, type TokenSet } from "../../oauth/tokens.ts";
import { isWebAddress } from "../../platform/browser.ts";
import { printable } from "../../http.ts";

/** The issued tokens; Ctrl-C throws `Cancelled`. */
export async function authorizeDevice(
  ctx: Context,
  host: string,
  browser: boolean,
): Promise<TokenSet> {
  const { out } = ctx;
  const timeoutMs = ctx.settings.oauthTimeoutMs;
  const asking = out.spinner(`Requesting a device code from ${host}`);
  const code = await requestDeviceCode(host, {
    timeoutMs: Math.max(timeoutMs, 1000),
    signal: ctx.signal,
    fetch: ctx.fetch,
  }).catch((error) => {
    if (!(error instanceof OAuthError)) throw error;
    throw new CliError(error.message, { component: "accountLogin" });
  }).finally(() => asking.stop());
  out.event({
    status: "awaiting_authorization",
    userCode: code.userCode,
    verificationUri: code.verificationUri,
    verificationUriComplete: code.verificationUriComplete,
  });
  // Shown on a terminal: nothing from the server may carry control characters.
  const userCode = printable(code.userCode);
  const url = printable(code.verificationUriComplete, 2000);
  // What the person must act on goes to stderr, as questions do: `ably login > file`
  // still shows the code and the URL, and the file gets only the result.
  out.note("");
  out.note(`  Your authorization code: ${out.style.cyan(userCode)}`);
  out.note("");
  out.note(`  Visit: ${url}`);
  out.note("");
  if (!out.json && browser && ctx.settings.display && isWebAddress(url)) {
    out.note(`Opening ${url} in your browser...`);
    if (!(await ctx.openBrowser(url))) {
      out.warning("Could not open a browser: open the URL above by hand to authorize.");
    }
  } else {
    out.note("Open the URL above in your browser to authorize.");
  }

  const spinner = out.spinner("Waiting for authorization...");
  try {
    const tokens = await pollForTokens(host, code, {
      signal: ctx.signal,
      timeoutMs,
      fetch: ctx.fetch,
    });
    spinner.stop();
    out.success("Authentication successful.");
    return tokens;
  } catch (error) {
    spinner.stop();
    if (!(error instanceof OAuthError)) throw error;
    throw new CliError(error.message, {
      component: "accountLogin",
      hint: NEXT_STEP[error.code ?? ""],
    });
  }
}

/** What to do after the authorization server ended the wait, by its RFC 8628 error code. */
const NEXT_STEP: Record<string, string> = {
  access_denied:
    'The request was declined in the browser. To log in, run "ably accounts login" again and approve it.',
  expired_token:
    'The code was not approved in time. Run "ably accounts login" again for a new code.',
};
