/**
 * The one way the CLI shows a length of time: `500 ms` under a second, else
 * seconds (`15 s`, `1.5 s`), minutes (`2 min`, `2 min 30 s`) past two minutes.
 * Pure and import-free.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) {
    const seconds = Math.round(ms / 100) / 10;
    return `${seconds} s`;
  }
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}
