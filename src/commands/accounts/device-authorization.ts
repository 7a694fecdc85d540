/**
 * The device authorization step of login (RFC 8628): show the code and URL,
 * open the browser when there is one, wait for approval with a spinner;
 * Ctrl-C cancels.
 */
import type { Env } from "../../cli.ts";
import { CliError, ExitCode } from "../../errors.ts";
import type { Reporter } from "../../output/reporter.ts";
import { oauthTimeoutMs } from "../settings.ts";
import {
  type OAuthError,
  pollForTokens,
  requestDeviceCode,
  type TokenSet,
} from "../../oauth/tokens.ts";
import { canOpenBrowser, isWebAddress, openBrowser } from "../../platform/browser.ts";
import { printable } from "../../http.ts";

/** Device authorization: show the code, open the browser, wait for approval. */
export async function authorizeDevice(
  out: Reporter,
  env: Env,
  flags: { browser?: boolean },
  host: string,
): Promise<TokenSet | number> {
  const timeoutMs = oauthTimeoutMs(env);
  const code = await requestDeviceCode(host, { timeoutMs: Math.max(timeoutMs, 1000) }).catch(
    (error) => {
      throw new CliError(error.message, { component: "accountLogin" });
    },
  );
  out.event({
    status: "awaiting_authorization",
    userCode: code.userCode,
    verificationUri: code.verificationUri,
    verificationUriComplete: code.verificationUriComplete,
  });
  // Shown on a terminal: nothing from the server may carry control characters.
  const userCode = printable(code.userCode);
  const url = printable(code.verificationUriComplete, 2000);
  out.print();
  out.print(`  Your authorization code: ${out.style.cyan(userCode)}`);
  out.print();
  out.print(`  Visit: ${url}`);
  out.print();
  if (!out.json && flags.browser !== false && canOpenBrowser(env) && isWebAddress(url)) {
    out.print(`Opening ${url} in your browser...`);
    openBrowser(url);
  } else {
    out.print("Open the URL above in your browser to authorize.");
  }

  const cancel = new AbortController();
  const onSigint = () => cancel.abort();
  Deno.addSignalListener("SIGINT", onSigint);
  const spinner = out.spinner("Waiting for authorization...");
  try {
    const tokens = await pollForTokens(host, code, { signal: cancel.signal, timeoutMs });
    spinner.stop();
    out.success("Authentication successful.");
    return tokens;
  } catch (error) {
    spinner.stop();
    if (cancel.signal.aborted) {
      out.warning("Authentication cancelled.");
      return ExitCode.Interrupted;
    }
    throw new CliError((error as OAuthError).message, { component: "accountLogin" });
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}
