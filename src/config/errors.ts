/** A problem with the config file itself: it cannot be read, parsed, locked or saved. */
export class ConfigError extends Error {
  constructor(message: string, readonly path: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

/**
 * The irreversible step of an update ran (`done` says what it did), then the new file
 * could not replace the old one: the config is unchanged, which the user must be told.
 */
export class SavedNothing extends Error {
  constructor(readonly failure: unknown, readonly done: unknown) {
    super(failure instanceof Error ? failure.message : String(failure), { cause: failure });
    this.name = "SavedNothing";
  }
}
