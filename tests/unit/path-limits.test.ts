import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWritablePath, removeStaleTemporaries, writeFileAtomic } from '../../media/atomic-file.js';
import { byteLength, checkPathLength, checkSegmentLengths, fitName } from '../../media/path-limits.js';
import { checkFileName, resolveInside } from '../../media/safe-path.js';
import { makeTestEnv } from '../helpers/env.js';
import { stringContaining } from '../helpers/matchers.js';

const env = makeTestEnv();
afterAll(() => env.cleanup());

describe('name lengths in bytes', () => {
  it('counts UTF-8 bytes, not characters', () => {
    expect(checkFileName('x'.repeat(255)).ok).toBe(true);
    expect(checkFileName('x'.repeat(256)).ok).toBe(false);
    // 85 × 3 bytes = 255; 86 CJK characters are only 86 characters but 258 bytes.
    expect(checkFileName('中'.repeat(85)).ok).toBe(true);
    const long = checkFileName('中'.repeat(86));
    expect(long).toEqual({ ok: false, reason: 'file name is 258 bytes long in UTF-8; the most is 255' });
  });

  it('checks every segment of a subfolder and the whole of an absolute path', () => {
    expect(checkSegmentLengths('a/b/c').ok).toBe(true);
    expect(checkSegmentLengths(`a/${'s'.repeat(300)}/c`, 'subfolder')).toEqual({
      ok: false,
      reason: stringContaining('is 300 bytes long'),
    });
    expect(checkPathLength(`/${'d/'.repeat(1000)}file`).ok).toBe(true);
    expect(checkPathLength(`/${'dir/'.repeat(1100)}file`)).toEqual({
      ok: false,
      reason: stringContaining('the most is 4095'),
    });
  });

  it('shortens a stem so a counter still fits, at a character boundary', () => {
    expect(fitName('photo', ' (1).png')).toBe('photo (1).png');
    const fitted = fitName('中'.repeat(84), ' (12).png');
    expect(byteLength(fitted)).toBeLessThanOrEqual(255);
    expect(fitted).toBe(`${'中'.repeat(82)} (12).png`);
  });

  it('requires room for the temporary beside the file', () => {
    const deep = `/${'d'.repeat(200)}`.repeat(19);
    expect(checkWritablePath(deep, 'a.png').ok).toBe(true);
    // 4,060 bytes: room for "/a.png" but not for the 38-byte temporary.
    const deeper = `${deep}/${'e'.repeat(240)}`;
    expect(byteLength(`${deeper}/a.png`)).toBeLessThan(4095);
    expect(checkWritablePath(deeper, 'a.png')).toEqual({
      ok: false,
      reason: stringContaining('bytes long on disk'),
    });
  });
});

describe('writeFileAtomic and its temporaries', () => {
  it('writes any 255-byte name (its temporary name does not grow with the target)', () => {
    for (const name of ['x'.repeat(251) + '.png', `${'中'.repeat(83)}.png`, 'y'.repeat(255)]) {
      expect(byteLength(name)).toBeGreaterThanOrEqual(253);
      writeFileAtomic(join(env.outputDir, name), 'data');
      expect(readFileSync(join(env.outputDir, name), 'utf8')).toBe('data');
    }
  });

  it('removes both the old and the new temporaries, never a real file', () => {
    const folder = join(env.outputDir, 'stale');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(folder, '.a.png.0123456789ab.inkgraph-tmp'), 'old');
    writeFileSync(join(folder, 'sub', `.inkgraph-tmp-${'0'.repeat(24)}`), 'new');
    writeFileSync(join(folder, 'keep.png'), 'keep');
    writeFileSync(join(folder, '.inkgraph-tmp-notes'), 'keep');
    expect(removeStaleTemporaries(folder)).toBe(2);
    expect(readdirSync(folder).sort()).toEqual(['.inkgraph-tmp-notes', 'keep.png', 'sub']);
    expect(readdirSync(join(folder, 'sub'))).toEqual([]);
  });
});

describe('resolveInside and broken links', () => {
  it('refuses a path through a dangling or looping symbolic link instead of skipping it', () => {
    const base = join(env.inputDir, 'links');
    mkdirSync(base, { recursive: true });
    symlinkSync(join(env.root, 'nowhere'), join(base, 'dangling'));
    symlinkSync(join(base, 'loop'), join(base, 'loop'));
    expect(resolveInside(base, 'dangling/a.png')).toEqual({
      ok: false,
      reason: stringContaining('cannot be followed (ENOENT)'),
    });
    expect(resolveInside(base, 'loop/a.png')).toEqual({ ok: false, reason: stringContaining('ELOOP') });
    expect(resolveInside(base, `${'s'.repeat(300)}/a.png`).ok).toBe(true);
    expect(existsSync(join(env.root, 'nowhere'))).toBe(false);
  });
});
