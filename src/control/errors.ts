/** A Control API request that failed: HTTP status, Ably error code and help link when known. */
export class ControlApiError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
    readonly errorCode?: number,
    readonly helpUrl?: string,
  ) {
    super(message);
    this.name = "ControlApiError";
  }
}
