/**
 * Deadlines for tests that wait on the network or on a process: a hang fails the test with
 * what it was waiting for, instead of timing out CI.
 */

/** How long one run of the CLI, in-process or spawned, may take before its test fails. */
export const RUN_DEADLINE_MS = 60_000;

/** `promise`, or a failure naming `what` once `ms` have passed. */
export async function withDeadline<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deadline: ${what} took over ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `condition()` holds, checking every 10 ms; fails naming `what` after `ms`. */
export function until(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  let stop = false;
  const poll = async () => {
    while (!stop && !condition()) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  return withDeadline(ms, what, poll()).finally(() => {
    stop = true;
  });
}
