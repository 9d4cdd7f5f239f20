import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listUserData, userDataContentType, userDataPath, userRoot } from '../../server/user-data.js';

describe('user data paths', () => {
  const root = userRoot(mkdtempSync(join(tmpdir(), 'inkgraph-user-')));

  it('lives under <dataDir>/user/default', () => {
    expect(userRoot('/data')).toBe('/data/user/default');
  });

  it('resolves names inside the folder, decoding a second time as ComfyUI does', () => {
    expect(userDataPath(root, 'workflows/a.json', 'file')).toEqual({ ok: true, value: join(root, 'workflows/a.json') });
    expect(userDataPath(root, 'workflows%2Fa.json', 'file')).toEqual({
      ok: true,
      value: join(root, 'workflows/a.json'),
    });
    expect(userDataPath(root, '.', 'dir', { folder: true })).toEqual({ ok: true, value: root });
  });

  it('refuses names that leave the folder or name the folder itself, naming the field', () => {
    for (const raw of ['../x.json', '%2E%2E%2Fx.json', '/etc/passwd', 'a\\b', 'x%00', '%E0%A4%A', '', '.', 'a/..']) {
      const path = userDataPath(root, raw, 'file');
      expect(path.ok, raw).toBe(false);
      if (!path.ok) expect(path.reason).toContain('file');
    }
  });

  it('serves only harmless types inline-free, user.css as a stylesheet', () => {
    expect(userDataContentType(root, join(root, 'user.css'))).toEqual({ type: 'text/css', disposition: 'inline' });
    expect(userDataContentType(root, join(root, 'x', 'user.css')).type).toBe('application/octet-stream');
    expect(userDataContentType(root, join(root, 'a.json'))).toEqual({
      type: 'application/json',
      disposition: 'attachment',
    });
    expect(userDataContentType(root, join(root, 'evil.html')).type).toBe('application/octet-stream');
    expect(userDataContentType(root, join(root, 'evil.svg')).type).toBe('application/octet-stream');
  });
});

describe('listUserData', () => {
  const folder = mkdtempSync(join(tmpdir(), 'inkgraph-list-'));
  mkdirSync(join(folder, 'sub', 'deeper'), { recursive: true });
  mkdirSync(join(folder, '.hidden'));
  writeFileSync(join(folder, 'b.json'), '{}');
  writeFileSync(join(folder, 'a.json'), '[1]');
  writeFileSync(join(folder, '.inkgraph-tmp-000000000000000000000000'), '');
  writeFileSync(join(folder, '.hidden', 'h.json'), '');
  writeFileSync(join(folder, 'sub', 'c.json'), '');
  writeFileSync(join(folder, 'sub', 'deeper', 'd.json'), '');
  symlinkSync('/etc/passwd', join(folder, 'link.json'));
  const options = { recurse: false, fullInfo: false, split: false };

  it('lists files, sorted, leaving out hidden files, folders and links', () => {
    expect(listUserData(folder, options)).toEqual(['a.json', 'b.json']);
    expect(listUserData(folder, { ...options, recurse: true })).toEqual([
      'a.json',
      'b.json',
      'sub/c.json',
      'sub/deeper/d.json',
    ]);
  });

  it('splits paths and gives full info as ComfyUI does', () => {
    expect(listUserData(join(folder, 'sub'), { ...options, recurse: true, split: true })).toEqual([
      ['c.json', 'c.json'],
      ['deeper/d.json', 'deeper', 'd.json'],
    ]);
    const [first] = listUserData(folder, { ...options, fullInfo: true, split: true });
    expect(first).toEqual({
      path: 'a.json',
      size: 3,
      modified: expect.any(Number) as unknown,
      created: expect.any(Number) as unknown,
    });
  });
});
