/**
 * Errors the server answers with, in the OpenAI error shape
 * `{"error": {"message", "type", "param", "code"}}`: the HTTP status, and the request field at
 * fault (`param`) when there is one.
 */
export type ErrorType = "invalid_request_error" | "not_found_error" | "server_error";

export class ApiError extends Error {
  override name = "ApiError";

  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly type: ErrorType = status === 404 ? "not_found_error" : status >= 500 ? "server_error" : "invalid_request_error",
    readonly code: string | null = null,
  ) {
    super(message);
  }

  /** A 400 naming the field at fault. */
  static badField(param: string, message: string): ApiError {
    return new ApiError(400, `${param}: ${message}`, param);
  }

  body(): { error: { message: string; type: ErrorType; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}
