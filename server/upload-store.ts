import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { writeFileAtomic } from '../media/atomic-file.js';
import { fitName } from '../media/path-limits.js';
import { err, ok, type Result } from '../shared/result.js';

/** The file system error that stopped an upload, and the request field it concerns. */
export interface StoreFailure {
  readonly error: unknown;
  readonly field: 'subfolder' | 'filename';
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * ComfyUI's naming: the same bytes under the same name are kept as they are; other bytes get "name (1).ext",
 * "name (2).ext"… (the first free one, or one already holding these bytes), unless `overwrite`. A counter that
 * would push the name past NAME_MAX shortens the stem instead.
 */
function chooseName(folder: string, name: string, bytes: Uint8Array, overwrite: boolean): string {
  const path = (candidate: string): string => join(folder, candidate);
  if (overwrite || !existsSync(path(name))) return name;
  const hash = sha256(bytes);
  const sameAs = (candidate: string): boolean => sha256(readFileSync(path(candidate))) === hash;
  if (sameAs(name)) return name;
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  const existing = new Set(readdirSync(folder));
  const numbered = (counter: number): string => fitName(stem, ` (${counter})${extension}`);
  let counter = 1;
  while (existing.has(numbered(counter)) && !sameAs(numbered(counter))) counter += 1;
  return numbered(counter);
}

/**
 * Writes an upload into `folder` (created if needed), atomically, and gives the name it was stored under; every
 * file system error comes back as a value.
 */
export function storeUpload(
  folder: string,
  name: string,
  bytes: Uint8Array,
  overwrite: boolean,
): Result<string, StoreFailure> {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    return err({ error, field: 'subfolder' });
  }
  try {
    const finalName = chooseName(folder, name, bytes, overwrite);
    if (overwrite || !existsSync(join(folder, finalName))) writeFileAtomic(join(folder, finalName), bytes);
    return ok(finalName);
  } catch (error) {
    return err({ error, field: 'filename' });
  }
}
