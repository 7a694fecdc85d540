/**
 * What the accounts operations fail with, typed to the end: a command catches one by
 * type where it handles it (a session that ended is a reason to log in again, nothing
 * else is), and `cli/failure.ts` words the rest.
 */

/** The account has no usable token: a new login is the fix (and only for this). */
export class SessionEnded extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SessionEnded";
  }
}

/** An account named (or the one a change was planned for) is not, or no longer, configured. */
export class NotConfigured extends Error {
  constructor(readonly alias: string, message = `Account "${alias}" not found.`) {
    super(message);
    this.name = "NotConfigured";
  }
}
