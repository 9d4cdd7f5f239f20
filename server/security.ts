import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { err, ok, type Result } from '../shared/result.js';
import { sendError } from './http-errors.js';

/** A Host header split into its name (lower case, IPv6 in brackets) and port, if it is well formed. */
export interface HostParts {
  readonly name: string;
  readonly port: number | undefined;
}

export function parseHost(host: string): HostParts | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  if (!match) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && port > 65_535) return undefined;
  return { name: match[1]!.toLowerCase(), port };
}

/**
 * Loopback names as a browser on this machine sends them: `localhost`, a dotted 127.x.y.z address, `[::1]`.
 * Deliberately not `localhost.`, `0.0.0.0` or other spellings: a browser reaches those through DNS or routing that
 * a hostile page can steer (DNS rebinding, "0.0.0.0 day"), never through this machine's own loopback names.
 */
export function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name === '[::1]') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** Whether a listening address is loopback only (then the Host check applies). */
export function isLoopbackBind(host: string): boolean {
  const name = host.trim().toLowerCase();
  return name === 'localhost' || name === '::1' || name === '[::1]' || (isIP(name) === 4 && name.startsWith('127.'));
}

export interface HostPolicy {
  /** True when the server listens on loopback only: every request must then name it by a loopback name. */
  readonly loopbackOnly: boolean;
  /** The port the server listens on (known once it listens). */
  port(): number;
  /** Extra names a request may use (a reverse proxy's), each `name` (any port) or `name:port`. */
  readonly allowedHosts: readonly string[];
}

function allowedByList(parts: HostParts, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((entry) => {
    const allowed = parseHost(entry);
    return (
      allowed !== undefined &&
      allowed.name === parts.name &&
      (allowed.port === undefined || allowed.port === parts.port)
    );
  });
}

/**
 * DNS rebinding defence: bound to loopback, a request must name this server by a loopback name and its own port,
 * or by a name in `--allowed-hosts`, whatever its Origin says (a rebinding page's Origin matches its Host). Bound
 * to the network, only `--allowed-hosts` (when given) restricts the Host. Returns the reason to refuse, if any.
 */
export function checkHost(host: string | undefined, policy: HostPolicy): string | undefined {
  if (!policy.loopbackOnly && policy.allowedHosts.length === 0) return undefined;
  if (host === undefined || host === '') return 'the request has no Host header';
  const parts = parseHost(host);
  if (!parts) return `the Host header ${JSON.stringify(host)} is not a host name`;
  if (allowedByList(parts, policy.allowedHosts)) return undefined;
  const ownPort = policy.port();
  if (isLoopbackName(parts.name) && (parts.port ?? 80) === ownPort) return undefined;
  return (
    `the Host header ${JSON.stringify(host)} does not name this server (${policy.loopbackOnly ? `127.0.0.1:${ownPort} or localhost:${ownPort}` : 'an allowed host'}); ` +
    'a web page that reaches it through another name (DNS rebinding) is refused. Behind a reverse proxy, start the server with --allowed-hosts NAME'
  );
}

/**
 * ComfyUI's origin check, made strict: a request carrying an Origin whose host is not the request's Host (or one
 * of `--allowed-hosts`) is refused, so a web page on another site cannot drive the server. Returns the reason.
 */
export function checkOrigin(
  headers: IncomingMessage['headers'],
  allowedHosts: readonly string[] = [],
): string | undefined {
  const origin = headers.origin;
  const host = headers.host;
  if (!origin) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return `the Origin header ${JSON.stringify(origin)} is not a URL`;
  }
  if (host !== undefined && originHost.toLowerCase() === host.toLowerCase()) return undefined;
  const parts = parseHost(originHost);
  if (parts && allowedByList(parts, allowedHosts)) return undefined;
  return `a page from ${origin} may not use this server (start it with --enable-cors-header to allow other origins)`;
}

/** Both tokens hashed first: the comparison then takes the same time whatever their lengths and contents. */
export function tokensEqual(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token a request carries: `Authorization: Bearer …` or `?token=…`. */
export function requestToken(headers: IncomingMessage['headers'], url: string | undefined): string | undefined {
  const authorization = headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  const query = new URL(url ?? '/', 'http://localhost').searchParams.get('token');
  return query ?? undefined;
}

export function checkAuth(
  expected: string | undefined,
  headers: IncomingMessage['headers'],
  url: string | undefined,
): string | undefined {
  if (expected === undefined) return undefined;
  const given = requestToken(headers, url);
  if (given === undefined) return 'this server requires a token: send "Authorization: Bearer TOKEN" or ?token=TOKEN';
  if (!tokensEqual(given, expected)) return 'the token is not valid';
  return undefined;
}

/** Command-line words with the values of secret flags replaced, for anything that leaves the process. */
export function redactArgv(
  argv: readonly string[],
  secretFlags: readonly string[] = ['--auth-token', '--redis'],
): string[] {
  const redacted: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    const flag = secretFlags.find((name) => word === name || word.startsWith(`${name}=`));
    if (flag === undefined) {
      redacted.push(word);
    } else if (word === flag) {
      redacted.push(word);
      if (index + 1 < argv.length) {
        redacted.push('<redacted>');
        index += 1;
      }
    } else {
      redacted.push(`${flag}=<redacted>`);
    }
  }
  return redacted;
}

export interface SecurityOptions {
  readonly authToken: string | undefined;
  readonly corsOrigin: string | undefined;
  readonly hosts: HostPolicy;
}

/** Why a request or WebSocket upgrade is refused: the HTTP answer. */
export interface SecurityRefusal {
  readonly status: 401 | 403;
  readonly type: 'forbidden_host' | 'forbidden_origin' | 'unauthorized';
  readonly message: string;
}

/** Lets a request or WebSocket upgrade through, or says why not (Host, then Origin, then token). */
export function admit(
  options: SecurityOptions,
  request: Pick<IncomingMessage, 'headers' | 'url'>,
  checks: { readonly auth: boolean } = { auth: true },
): Result<undefined, SecurityRefusal> {
  const hostProblem = checkHost(request.headers.host, options.hosts);
  if (hostProblem) return err({ status: 403, type: 'forbidden_host', message: hostProblem });
  if (options.corsOrigin === undefined) {
    const originProblem = checkOrigin(request.headers, options.hosts.allowedHosts);
    if (originProblem) return err({ status: 403, type: 'forbidden_origin', message: originProblem });
  }
  const authProblem = checks.auth ? checkAuth(options.authToken, request.headers, request.url) : undefined;
  if (authProblem) return err({ status: 401, type: 'unauthorized', message: authProblem });
  return ok(undefined);
}

export function securityMiddleware(options: SecurityOptions) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (options.corsOrigin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', options.corsOrigin);
      res.setHeader('Access-Control-Allow-Methods', 'POST, GET, DELETE, PUT, PATCH, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization, Comfy-User');
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    // Preflights carry no token; they are answered once Host and Origin pass.
    const admitted = admit(options, { headers: req.headers, url: req.originalUrl }, { auth: req.method !== 'OPTIONS' });
    if (!admitted.ok) {
      const { status, type, message } = admitted.reason;
      if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      return sendError(res, status, type, message);
    }
    if (req.method === 'OPTIONS') {
      res.status(200).end();
      return;
    }
    next();
  };
}
