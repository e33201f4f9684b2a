/** HTTP errors with a machine-readable code and, where it helps, the field that is wrong. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
export const badRequest = (message: string, field?: string, extra?: Record<string, unknown>) =>
  new HttpError(400, 'invalid_request', message, { ...(field ? { issues: [{ path: field, message }] } : {}), ...extra });
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, extra?: Record<string, unknown>) => new HttpError(409, 'conflict', message, extra);
export const unprocessable = (message: string, field?: string) =>
  new HttpError(422, 'unprocessable', message, field ? { field } : undefined);
