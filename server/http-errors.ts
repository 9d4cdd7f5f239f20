import type { Response } from 'express';
import { describeTooDeep, findTooDeep } from '../shared/json-depth.js';
import type { ErrorBody } from '../shared/protocol.js';

/** Every error response is JSON with a reason. */
export function sendError(res: Response, status: number, type: string, message: string, details?: string): void {
  const body: ErrorBody = { error: { type, message, ...(details !== undefined ? { details } : {}) } };
  res.status(status).json(body);
}

export type JsonBody =
  { ok: true; value: unknown } | { ok: false; type: 'invalid_json' | 'json_too_deep'; reason: string };

/**
 * Parses a raw body as JSON whatever its Content-Type (the saintno SDK sends none). Empty → undefined. JSON nested
 * deeper than MAX_JSON_DEPTH is refused here, before anything recurses over it.
 */
export function parseJsonBody(body: unknown): JsonBody {
  if (body === undefined || body === null) return { ok: true, value: undefined };
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : undefined;
  if (text === undefined) return { ok: true, value: body };
  if (text.trim() === '') return { ok: true, value: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      type: 'invalid_json',
      reason: `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const tooDeep = findTooDeep(value);
  if (tooDeep) return { ok: false, type: 'json_too_deep', reason: describeTooDeep(tooDeep) };
  return { ok: true, value };
}
