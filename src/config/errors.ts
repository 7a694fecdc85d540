/** A problem with the config file itself: it cannot be read, parsed, locked or saved. */
export class ConfigError extends Error {
  constructor(message: string, readonly path: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}
