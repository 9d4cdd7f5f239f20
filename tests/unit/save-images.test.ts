import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createImageBatch } from '../../nodes/runtime/image/image-batch.js';
import { saveImages } from '../../nodes/runtime/image/save-images.js';

function save(baseDir: string, batch = 1, prefix = 'shot'): string[] {
  const images = createImageBatch(batch, 4, 4, 3);
  images.data.fill(0.5);
  return saveImages({ images, baseDir, type: 'output', prefix, compressionLevel: 1, metadata: {} }).map(
    (ref) => ref.filename,
  );
}

describe('saveImages counters', () => {
  it('continues numbering from what is in the folder, across saves and batches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'save-'));
    expect(save(dir)).toEqual(['shot_00001_.png']);
    expect(save(dir, 2)).toEqual(['shot_00002_.png', 'shot_00003_.png']);
    writeFileSync(join(dir, 'shot_00010_.png'), 'someone else');
    expect(save(dir)).toEqual(['shot_00011_.png']);
    expect(save(dir, 1, 'other')).toEqual(['other_00001_.png']);
  });

  it('never overwrites a file that appeared at the next number since the last save', () => {
    const dir = mkdtempSync(join(tmpdir(), 'save-'));
    save(dir);
    writeFileSync(join(dir, 'shot_00002_.png'), 'keep me');
    expect(save(dir)).toEqual(['shot_00003_.png']);
    expect(readFileSync(join(dir, 'shot_00002_.png'), 'utf8')).toBe('keep me');
    expect(readdirSync(dir).sort()).toEqual(['shot_00001_.png', 'shot_00002_.png', 'shot_00003_.png']);
  });
});
