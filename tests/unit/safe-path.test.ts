import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFileName, resolveInside } from '../../media/safe-path.js';
import { makeTestEnv } from '../helpers/env.js';

const env = makeTestEnv();
afterAll(() => env.cleanup());
const base = env.outputDir;
mkdirSync(join(base, 'sub'), { recursive: true });
writeFileSync(join(env.root, 'secret.txt'), 'secret');
symlinkSync(env.root, join(base, 'escape'));
symlinkSync(join(base, 'sub'), join(base, 'inside-link'));

describe('resolveInside', () => {
  it('resolves plain relative paths', () => {
    expect(resolveInside(base, 'a.png')).toEqual({ ok: true, value: join(base, 'a.png') });
    expect(resolveInside(base, 'sub/a.png')).toEqual({ ok: true, value: join(base, 'sub', 'a.png') });
    expect(resolveInside(base, 'inside-link/a.png').ok).toBe(true);
  });

  it.each([
    ['../secret.txt', "'..'"],
    ['sub/../../secret.txt', "'..'"],
    ['/etc/passwd', 'relative'],
    ['%2e%2e/secret.txt', 'percent-encoded'],
    ['..%2fsecret.txt', 'percent-encoded'],
    ['a\0.png', 'NUL'],
    ['..\\secret.txt', 'backslash'],
    ['escape/secret.txt', 'symbolic link'],
  ])('refuses %j', (path, reason) => {
    const result = resolveInside(base, path);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
});

describe('checkFileName', () => {
  it('takes single names only', () => {
    expect(checkFileName('photo (1).png').ok).toBe(true);
    expect(checkFileName('a/b.png').ok).toBe(false);
    expect(checkFileName('..').ok).toBe(false);
    expect(checkFileName('').ok).toBe(false);
    expect(checkFileName('x\0').ok).toBe(false);
    expect(checkFileName('x'.repeat(300)).ok).toBe(false);
  });
});
