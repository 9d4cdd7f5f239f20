import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../media/atomic-file.js';
import { checkFileName, resolveInside } from '../../media/safe-path.js';
import type { UiImageRef, UiOutput } from '../../shared/protocol.js';
import { err, ok, type Result } from '../../shared/result.js';

/** `ComfyUI_00001_.png`: SaveImage's counter pattern, continued on a name clash as ComfyUI would number it. */
const COUNTER_NAME = /^(.*_)(\d+)(_\.[^.]+)$/;

/** A name in `dir` free for a file called `filename`: itself if free, else the next counter (or `-2`, `-3`, …). */
export function freeFileName(dir: string, filename: string): string {
  if (!existsSync(join(dir, filename))) return filename;
  const counter = COUNTER_NAME.exec(filename);
  if (counter) {
    const [, head, digits, tail] = counter;
    for (let n = Number(digits) + 1; ; n++) {
      const candidate = `${head}${String(n).padStart(digits!.length, '0')}${tail}`;
      if (!existsSync(join(dir, candidate))) return candidate;
    }
  }
  const dot = filename.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [filename.slice(0, dot), filename.slice(dot)] : [filename, ''];
  for (let n = 2; ; n++) {
    const candidate = `${stem}-${n}${extension}`;
    if (!existsSync(join(dir, candidate))) return candidate;
  }
}

type RelayedFolder = 'output' | 'temp';

/**
 * Where workers' images land on the coordinator: its output and temp folders, so `/view` serves them as it serves
 * a local run's. Workers number files in their own folders, so a clash takes the next free name, and the runs' UI
 * outputs are rewritten to match; the renames are remembered per worker, for a cached output node re-shown later.
 */
export class RelayedFiles {
  private readonly renamed = new Map<string, UiImageRef>();

  constructor(private readonly folders: Readonly<Record<RelayedFolder, string>>) {}

  private static key(worker: string, ref: UiImageRef): string {
    return `${worker}\n${ref.type}\n${ref.subfolder}\n${ref.filename}`;
  }

  /** Writes one relayed file; returns where it went (a clash with another file renames it). */
  write(worker: string, ref: UiImageRef & { type: RelayedFolder }, bytes: Buffer): Result<UiImageRef> {
    const known = this.renamed.get(RelayedFiles.key(worker, ref));
    const name = checkFileName(ref.filename);
    if (!name.ok) return err(`a worker sent a file with an unusable name: ${name.reason}`);
    const folder = resolveInside(this.folders[ref.type], ref.subfolder);
    if (!folder.ok) return err(`a worker sent a file for an unusable subfolder: ${folder.reason}`);
    if (known && sameBytes(join(this.folders[ref.type], known.subfolder, known.filename), bytes)) return ok(known);
    const target = sameBytes(join(folder.value, ref.filename), bytes)
      ? ref.filename
      : freeFileName(folder.value, ref.filename);
    if (target !== ref.filename || !existsSync(join(folder.value, target)))
      writeFileAtomic(join(folder.value, target), bytes);
    const placed: UiImageRef = { ...ref, filename: target };
    this.renamed.set(RelayedFiles.key(worker, ref), placed);
    // Bounded: the oldest renames go first (a re-shown cached output older than this is left as the worker named it).
    if (this.renamed.size > 10_000) {
      const oldest = this.renamed.keys().next().value;
      if (oldest !== undefined) this.renamed.delete(oldest);
    }
    return ok(placed);
  }

  /** A worker's UI output with its images renamed as they were placed here. */
  rewrite(worker: string, ui: UiOutput): UiOutput {
    if (!ui.images) return ui;
    return { ...ui, images: ui.images.map((image) => this.renamed.get(RelayedFiles.key(worker, image)) ?? image) };
  }
}

function sameBytes(path: string, bytes: Buffer): boolean {
  try {
    return existsSync(path) && readFileSync(path).equals(bytes);
  } catch {
    return false;
  }
}
