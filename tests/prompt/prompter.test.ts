/** The real prompter on a pipe (src/prompt/prompter.ts), driven directly. */
import assert from "node:assert/strict";
import { createPrompter } from "../../src/prompt/prompter.ts";
import { Cancelled } from "../../src/errors.ts";

Deno.test("prompter on a pipe: after Ctrl-C a question is neither written nor read, it is cancelled", async () => {
  const written: string[] = [];
  let reads = 0;
  const prompter = createPrompter({
    terminal: false,
    stdin: {
      read: () => {
        reads++;
        return Promise.resolve(null);
      },
    },
    write: (text) => written.push(text),
    signal: AbortSignal.abort(),
  });
  await assert.rejects(() => prompter.confirm("Proceed?"), Cancelled);
  assert.deepEqual(written, []);
  assert.equal(reads, 0);
});
