import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const TEMPORARY_SUFFIX = '.inkgraph-tmp';

/**
 * Writes a file under a temporary name in the same folder, then renames it into place: no reader ever sees
 * half a file, and a crashed or killed process leaves no partial file under the real name. `durable` also
 * flushes the data to disk before the rename (survives power loss, at the cost of an fsync).
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, options: { durable?: boolean } = {}): void {
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  const temporary = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMPORARY_SUFFIX}`);
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
    } else if (entry.isFile() && entry.name.startsWith('.') && entry.name.endsWith(TEMPORARY_SUFFIX)) {
      rmSync(path, { force: true });
      removed += 1;
    }
  }
  return removed;
}
