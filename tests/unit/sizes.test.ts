import { describe, expect, it } from 'vitest';
import { parseByteSize, parsePixelCount } from '../../server/cli/sizes.js';
import { formatBytes } from '../../shared/format-bytes.js';
import { defaultMaxMemoryBytes } from '../../server/options.js';

describe('sizes on the command line', () => {
  it('reads binary and decimal byte sizes', () => {
    expect(parseByteSize('8GiB')).toEqual({ ok: true, value: 8 * 1024 ** 3 });
    expect(parseByteSize('8G')).toEqual({ ok: true, value: 8 * 1024 ** 3 });
    expect(parseByteSize('8GB')).toEqual({ ok: true, value: 8e9 });
    expect(parseByteSize('1.5 mib')).toEqual({ ok: true, value: 1.5 * 1024 ** 2 });
    expect(parseByteSize('4096')).toEqual({ ok: true, value: 4096 });
  });

  it('refuses what is not a positive size, saying so', () => {
    for (const text of ['', 'lots', '-1G', '0', '8 parsecs']) {
      const parsed = parseByteSize(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toContain(JSON.stringify(text));
    }
  });

  it('reads pixel counts', () => {
    expect(parsePixelCount('64M')).toEqual({ ok: true, value: 64 * 1024 ** 2 });
    expect(parsePixelCount('16k')).toEqual({ ok: true, value: 16 * 1024 });
    expect(parsePixelCount('1000')).toEqual({ ok: true, value: 1000 });
    expect(parsePixelCount('big').ok).toBe(false);
  });

  it('formats sizes for people and halves the RAM for the default budget', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536 * 1024 ** 2)).toBe('1.5 GiB');
    expect(formatBytes(300 * 1024 ** 2)).toBe('300 MiB');
    expect(defaultMaxMemoryBytes(24 * 1024 ** 3)).toBe(12 * 1024 ** 3);
  });
});
