import { SessiondataError } from "../domain/errors.js";

/**
 * A refusal the HTTP layer answers with `status` and `{ error, message }`: 400 bad input,
 * 403 a request from another site, 404 unknown symbol, 409 an action that does not fit the
 * replay's state, 415 a body that is not declared JSON. Internal to the server.
 */
export class ApiError extends SessiondataError {
  readonly status: 400 | 401 | 403 | 404 | 409 | 415;
  constructor(status: 400 | 401 | 403 | 404 | 409 | 415, message: string) {
    super(message);
    this.status = status;
  }

  /** The short machine-readable name of the status. */
  get code(): string {
    return CODES[this.status];
  }
}

const CODES = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  415: "unsupported_media_type",
} as const;
