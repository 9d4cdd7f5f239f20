import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * Resolves a user-given relative path inside a base folder, or says why not. Refuses `..`, absolute paths,
 * backslashes, NUL bytes, percent-encoded separators or dots left after decoding, and symlinks that lead out.
 */
export function resolveInside(baseDir: string, userPath: string): Result<string> {
  if (userPath.includes('\0')) return err('path contains a NUL byte');
  if (userPath.includes('\\')) return err('path contains a backslash');
  if (/%(2e|2f|5c|00)/i.test(userPath)) return err('path contains percent-encoded dots or separators');
  if (isAbsolute(userPath) || userPath.startsWith('/')) return err('path must be relative');
  if (userPath.split('/').some((segment) => segment === '..')) return err("path must not contain '..'");
  const base = resolve(baseDir);
  const candidate = resolve(base, userPath);
  if (!isWithin(base, candidate)) return err('path leads outside its folder');
  // Symlinks: the real location of the deepest existing ancestor must stay inside the real base.
  // realpathSync.native is one system call; the JS version makes one per path component.
  const realBase = existsSync(base) ? realpathSync.native(base) : base;
  let probe = candidate;
  while (!existsSync(probe) && probe !== base && dirname(probe) !== probe) probe = dirname(probe);
  if (existsSync(probe)) {
    const realProbe = realpathSync.native(probe);
    if (!isWithin(realBase, realProbe)) return err('path leads outside its folder through a symbolic link');
  }
  return ok(candidate);
}

export function isWithin(base: string, candidate: string): boolean {
  const rel = relative(base, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** A single file name (no folders), safe to create: used for uploads and saved workflows. */
export function checkFileName(name: string): Result<string> {
  if (name.length === 0) return err('file name is empty');
  if (name.length > 255) return err('file name is longer than 255 characters');
  if (name.includes('\0')) return err('file name contains a NUL byte');
  if (/[/\\]/.test(name)) return err('file name must not contain path separators');
  if (name === '.' || name === '..') return err('file name must not be . or ..');
  if (/%(2e|2f|5c|00)/i.test(name)) return err('file name contains percent-encoded dots or separators');
  return ok(name);
}
