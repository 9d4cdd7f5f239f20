import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { err, ok, type Result } from '../shared/result.js';
import { checkNameLength } from './path-limits.js';

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
  // Symlinks: the real location of the deepest existing ancestor must stay inside the real base. The probe is
  // by lstat, so a broken or looping link is found and refused instead of being skipped as "not there".
  // realpathSync.native is one system call; the JS version makes one per path component.
  if (!entryExists(base)) return ok(candidate);
  const realBase = realPath(base);
  if (!realBase.ok) return err(`the folder itself cannot be followed (${realBase.reason})`);
  let probe = candidate;
  while (!entryExists(probe) && probe !== base && dirname(probe) !== probe) probe = dirname(probe);
  if (entryExists(probe)) {
    const realProbe = realPath(probe);
    if (!realProbe.ok) return err(`path goes through a symbolic link that cannot be followed (${realProbe.reason})`);
    if (!isWithin(realBase.value, realProbe.value)) return err('path leads outside its folder through a symbolic link');
  }
  return ok(candidate);
}

/** Whether something (a file, a folder, a link even if broken) is at `path`; never throws. */
function entryExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function realPath(path: string): Result<string> {
  try {
    return ok(realpathSync.native(path));
  } catch (error) {
    return err(error instanceof Error && 'code' in error ? String(error.code) : String(error));
  }
}

export function isWithin(base: string, candidate: string): boolean {
  const rel = relative(base, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** A single file name (no folders), safe to create: used for uploads and saved workflows. */
export function checkFileName(name: string): Result<string> {
  if (name.length === 0) return err('file name is empty');
  const length = checkNameLength(name);
  if (!length.ok) return length;
  if (name.includes('\0')) return err('file name contains a NUL byte');
  if (/[/\\]/.test(name)) return err('file name must not contain path separators');
  if (name === '.' || name === '..') return err('file name must not be . or ..');
  if (/%(2e|2f|5c|00)/i.test(name)) return err('file name contains percent-encoded dots or separators');
  return ok(name);
}
