import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';

/** An HTTP error status for the app's error handler (413 becomes `payload_too_large`). */
class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a request's body into `req.body` as a Buffer, for the routes to parse whatever the Content-Type (the saintno
 * SDK sends none); multipart bodies are left to the upload route. Plain bodies are read here directly (cheaper than
 * express.raw on every `POST /prompt`); compressed ones go through express.raw, which inflates them. Over `limit` bytes is a 413, declared or read.
 */
export function bodyReader(limit: number): RequestHandler {
  const inflating = express.raw({ type: () => true, limit });
  return (req: Request, res: Response, next: NextFunction): void => {
    const contentType = req.headers['content-type'] ?? '';
    if (contentType.startsWith('multipart/')) return next();
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') return inflating(req, res, next);
    const declared = req.headers['content-length'];
    if (declared === undefined && req.headers['transfer-encoding'] === undefined) return next();
    const chunks: Buffer[] = [];
    let length = 0;
    // Too large: the rest is read and dropped before the answer, so the client is not cut off while still sending.
    let refusal: BodyError | undefined =
      declared !== undefined && Number(declared) > limit
        ? new BodyError(413, `request entity too large: ${declared} bytes, the limit is ${limit} bytes`)
        : undefined;
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      next(error);
    };
    req.on('data', (chunk: Buffer) => {
      if (refusal) return;
      length += chunk.length;
      if (length > limit) {
        refusal = new BodyError(413, `request entity too large: over the limit of ${limit} bytes`);
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refusal) return settle(refusal);
      req.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
      settle();
    });
    req.on('error', (error) => settle(new BodyError(400, `the request body could not be read: ${error.message}`)));
  };
}
