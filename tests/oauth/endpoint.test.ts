import assert from "node:assert/strict";
import { oauthBaseUrl } from "../../src/oauth/endpoint.ts";

Deno.test("endpoint: https everywhere except loopback hosts", () => {
  const cases: [string, string][] = [
    ["ably.com", "https://ably.com/"],
    ["review-abc.herokuapp.com", "https://review-abc.herokuapp.com/"],
    ["notlocal.example.com", "https://notlocal.example.com/"],
    ["localhost.evil.example", "https://localhost.evil.example/"],
    ["localhost:3000", "http://localhost:3000/"],
    ["127.0.0.1:8080", "http://127.0.0.1:8080/"],
    ["127.1.2.3", "http://127.1.2.3/"],
    ["[::1]:9000", "http://[::1]:9000/"],
  ];
  for (const [host, url] of cases) assert.equal(oauthBaseUrl(host).href, url, host);
});

Deno.test("endpoint: a host with a scheme, path, credentials or spaces is refused", () => {
  for (const host of ["https://ably.com", "ably.com/x", "user@ably.com", "ably .com", ""]) {
    assert.throws(() => oauthBaseUrl(host), /invalid OAuth host/, host);
  }
});
