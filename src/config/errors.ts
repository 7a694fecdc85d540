/** A problem with the config file itself: it cannot be read, parsed, locked or saved. */
export class ConfigError extends Error {
  constructor(message: string, readonly path: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

/** Waiting for the config lock was given up because the caller's signal aborted (e.g. Ctrl-C). */
export class LockWaitAborted extends ConfigError {
  constructor(path: string) {
    super(`Stopped waiting for the lock on ${path}; the config was not changed.`, path);
    this.name = "LockWaitAborted";
  }
}
