import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { UiImageRef } from '../../../shared/protocol.js';
import { asciiJson, encodePng } from '../../../media/png.js';
import { batchItemToRaster } from './image-batch.js';
import type { ImageBatch } from '../../contract/socket-types.js';
import { resolveInside } from '../../../media/safe-path.js';
import { writeFileAtomic } from '../../../media/atomic-file.js';

/** Expands ComfyUI's prefix variables: %width%, %height%, %year%, %month%, %day%, %hour%, %minute%, %second%. */
export function expandPrefixVariables(prefix: string, width: number, height: number, now: Date): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  const values: Record<string, string> = {
    width: String(width),
    height: String(height),
    year: String(now.getFullYear()),
    month: two(now.getMonth() + 1),
    day: two(now.getDate()),
    hour: two(now.getHours()),
    minute: two(now.getMinutes()),
    second: two(now.getSeconds()),
  };
  return prefix.replace(
    /%(width|height|year|month|day|hour|minute|second)%/g,
    (_match, key: string) => values[key] ?? '',
  );
}

/** The next free counter for `{name}_{counter:05}_…` files in a folder, continuing from what is there. */
export function nextCounter(folder: string, name: string): number {
  if (!existsSync(folder)) return 1;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}_(\\d+)_`);
  let highest = 0;
  for (const file of readdirSync(folder)) {
    const match = pattern.exec(file);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest + 1;
}

/**
 * The next counter per (folder, name), remembered with the folder's mtime after our last write: while nothing else
 * has changed the folder, saving needs no scan of it (a folder of
 * thousands of outputs would otherwise be listed on every save). Any other change to the folder, or a file already holding a chosen name, sends it back to a full scan.
 */
const counters = new Map<string, { next: number; folderMtimeMs: number }>();

function folderMtimeMs(folder: string): number {
  try {
    return statSync(folder).mtimeMs;
  } catch {
    return -1;
  }
}

function claimCounter(folder: string, name: string, fileNames: (counter: number) => string[]): number {
  const remembered = counters.get(`${folder}\0${name}`);
  let counter =
    remembered && remembered.folderMtimeMs === folderMtimeMs(folder) ? remembered.next : nextCounter(folder, name);
  if (fileNames(counter).some((fileName) => existsSync(join(folder, fileName)))) counter = nextCounter(folder, name);
  return counter;
}

function rememberCounter(folder: string, name: string, next: number): void {
  counters.set(`${folder}\0${name}`, { next, folderMtimeMs: folderMtimeMs(folder) });
}

export interface SaveImagesRequest {
  readonly images: ImageBatch;
  readonly baseDir: string;
  readonly type: 'output' | 'temp';
  readonly prefix: string;
  readonly compressionLevel: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * Writes each image of a batch as `{prefix}_{counter:05}_.png`, atomically, with every metadata entry as a
 * text chunk (ASCII JSON). Returns the UI references ComfyUI's SaveImage returns.
 */
export function saveImages(request: SaveImagesRequest): UiImageRef[] {
  const expanded = expandPrefixVariables(request.prefix, request.images.width, request.images.height, new Date());
  const subfolder = dirname(expanded) === '.' ? '' : dirname(expanded);
  const name = basename(expanded);
  if (name.length === 0) throw new Error('filename_prefix must name a file');
  const folder = resolveInside(request.baseDir, subfolder === '' ? '.' : subfolder);
  if (!folder.ok) throw new Error(`filename_prefix: ${folder.reason}`);
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.metadata)) if (value !== undefined) text[key] = asciiJson(value);
  const fileNameFor = (index: number, counter: number): string =>
    `${name.replace('%batch_num%', String(index))}_${String(counter).padStart(5, '0')}_.png`;
  let counter = claimCounter(folder.value, name, (start) =>
    Array.from({ length: request.images.batch }, (_, index) => fileNameFor(index, start + index)),
  );
  const refs: UiImageRef[] = [];
  for (let index = 0; index < request.images.batch; index++) {
    const fileName = fileNameFor(index, counter);
    const png = encodePng(batchItemToRaster(request.images, index), {
      compressionLevel: request.compressionLevel,
      text,
    });
    writeFileAtomic(join(folder.value, fileName), png);
    refs.push({ filename: fileName, subfolder, type: request.type });
    counter += 1;
  }
  rememberCounter(folder.value, name, counter);
  return refs;
}
