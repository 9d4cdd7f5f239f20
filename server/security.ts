import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from './http-errors.js';

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? host;
}

function isLoopbackHost(host: string): boolean {
  const name = hostnameOf(host).toLowerCase();
  return LOOPBACK_HOSTNAMES.has(name) || name.startsWith('127.');
}

/**
 * ComfyUI's origin check: a request to a loopback Host that carries an Origin from elsewhere is refused,
 * so a web page on another site cannot drive the local server. Returns the reason to refuse, if any.
 */
export function checkOrigin(headers: IncomingMessage['headers']): string | undefined {
  const origin = headers.origin;
  const host = headers.host;
  if (!origin || !host || !isLoopbackHost(host)) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return `the Origin header ${JSON.stringify(origin)} is not a URL`;
  }
  if (originHost.toLowerCase() !== host.toLowerCase()) {
    return `a page from ${origin} may not use this server (start it with --enable-cors-header to allow other origins)`;
  }
  return undefined;
}

function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: `Authorization: Bearer …` or `?token=…`. */
export function requestToken(headers: IncomingMessage['headers'], url: string | undefined): string | undefined {
  const authorization = headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  const query = new URL(url ?? '/', 'http://localhost').searchParams.get('token');
  return query ?? undefined;
}

export function checkAuth(expected: string | undefined, headers: IncomingMessage['headers'], url: string | undefined): string | undefined {
  if (expected === undefined) return undefined;
  const given = requestToken(headers, url);
  if (given === undefined) return 'this server requires a token: send "Authorization: Bearer TOKEN" or ?token=TOKEN';
  if (!tokensEqual(given, expected)) return 'the token is not valid';
  return undefined;
}

export function securityMiddleware(options: { authToken: string | undefined; corsOrigin: string | undefined }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (options.corsOrigin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', options.corsOrigin);
      res.setHeader('Access-Control-Allow-Methods', 'POST, GET, DELETE, PUT, PATCH, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization, Comfy-User');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (req.method === 'OPTIONS') {
        res.status(200).end();
        return;
      }
    } else {
      const refused = checkOrigin(req.headers);
      if (refused) {
        sendError(res, 403, 'forbidden_origin', refused);
        return;
      }
      if (req.method === 'OPTIONS') {
        res.status(200).end();
        return;
      }
    }
    const unauthorized = checkAuth(options.authToken, req.headers, req.originalUrl);
    if (unauthorized) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      sendError(res, 401, 'unauthorized', unauthorized);
      return;
    }
    next();
  };
}
