import type { Response } from 'express';
import { describeTooDeep, findTooDeep } from '../shared/json-depth.js';
import type { ErrorBody } from '../shared/protocol.js';
import { err, ok, type Result } from '../shared/result.js';

/** Every error response is JSON with a reason. */
export function sendError(res: Response, status: number, type: string, message: string, details?: string): void {
  const body: ErrorBody = { error: { type, message, ...(details !== undefined ? { details } : {}) } };
  res.status(status).json(body);
}

/** Why a body is refused: the error type of the 400 answer, and its message. */
export interface JsonBodyError {
  readonly type: 'invalid_json' | 'json_too_deep';
  readonly message: string;
}

/**
 * Parses a raw body as JSON whatever its Content-Type (the saintno SDK sends none). Empty → undefined. JSON nested
 * deeper than MAX_JSON_DEPTH is refused here, before anything recurses over it.
 */
export function parseJsonBody(body: unknown): Result<unknown, JsonBodyError> {
  if (body === undefined || body === null) return ok(undefined);
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : undefined;
  if (text === undefined) return ok(body);
  if (text.trim() === '') return ok(undefined);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return err({
      type: 'invalid_json',
      message: `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  const tooDeep = findTooDeep(value);
  if (tooDeep) return err({ type: 'json_too_deep', message: describeTooDeep(tooDeep) });
  return ok(value);
}
