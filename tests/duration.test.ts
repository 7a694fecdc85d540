import assert from "node:assert/strict";
import { formatDuration } from "../src/duration.ts";

Deno.test("duration: one way to show a length of time", () => {
  const cases: [number, string][] = [
    [0, "0 ms"],
    [500, "500 ms"],
    [999, "999 ms"],
    [1000, "1 s"],
    [1500, "1.5 s"],
    [5000, "5 s"],
    [15000, "15 s"],
    [119_000, "119 s"],
    [120_000, "2 min"],
    [150_000, "2 min 30 s"],
  ];
  for (const [ms, shown] of cases) assert.equal(formatDuration(ms), shown, String(ms));
});

Deno.test("duration: a length that is not a finite, non-negative number is shown as it is, in ms", () => {
  const cases: [number, string][] = [[-5, "-5 ms"], [NaN, "NaN ms"], [Infinity, "Infinity ms"]];
  for (const [ms, shown] of cases) assert.equal(formatDuration(ms), shown, String(ms));
});
