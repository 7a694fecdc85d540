// Calls openBrowser for each URL argument and prints the results as a JSON array (the
// openers found on this process's PATH decide; tests put a stub there).
import { openBrowser } from "../../src/platform/browser.ts";

const results: boolean[] = [];
for (const url of Deno.args) results.push(await openBrowser(url));
console.log(JSON.stringify(results));
