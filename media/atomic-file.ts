import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { err, ok, type Result } from '../shared/result.js';
import { byteLength, checkNameLength, PATH_MAX_BYTES } from './path-limits.js';

/** Older versions named temporaries `.<target>.<12 hex>.inkgraph-tmp`: too long for a target near NAME_MAX. */
const LEGACY_TEMPORARY_SUFFIX = '.inkgraph-tmp';
/** Today's temporaries: `.inkgraph-tmp-<24 hex>`, 38 bytes whatever the target's name. */
const TEMPORARY_PREFIX = '.inkgraph-tmp-';
const TEMPORARY_NAME = /^\.inkgraph-tmp-[0-9a-f]{24}$/;
const TEMPORARY_NAME_BYTES = TEMPORARY_PREFIX.length + 24;

/**
 * Whether `writeFileAtomic(join(folder, name))` can name its files: the target and its temporary must both fit in
 * PATH_MAX as the system calls get them, and the name in NAME_MAX.
 */
export function checkWritablePath(folder: string, name: string): Result<string> {
  const length = checkNameLength(name);
  if (!length.ok) return length;
  const bytes = byteLength(folder) + 1 + Math.max(byteLength(name), TEMPORARY_NAME_BYTES);
  if (bytes > PATH_MAX_BYTES)
    return err(`the path would be ${bytes} bytes long on disk; the most is ${PATH_MAX_BYTES}`);
  return ok(join(folder, name));
}

function isTemporaryName(name: string): boolean {
  return TEMPORARY_NAME.test(name) || (name.startsWith('.') && name.endsWith(LEGACY_TEMPORARY_SUFFIX));
}

/**
 * Writes a file under a temporary name in the same folder, then renames it into place: no reader ever sees
 * half a file, and a crashed or killed process leaves no partial file under the real name. `durable` also
 * flushes the data to disk before the rename (survives power loss, at the cost of an fsync).
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, options: { durable?: boolean } = {}): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  const temporary = join(folder, `${TEMPORARY_PREFIX}${randomBytes(12).toString('hex')}`);
  const fd = openSync(temporary, 'wx');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    if (options.durable) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Removes what `writeFileAtomic` leaves behind when a process dies between writing and renaming (never a file
 * under a real name), in `folder` and its subfolders. Returns how many were removed.
 */
export function removeStaleTemporaries(folder: string): number {
  let removed = 0;
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      removed += removeStaleTemporaries(path);
    } else if (entry.isFile() && isTemporaryName(entry.name)) {
      rmSync(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}
