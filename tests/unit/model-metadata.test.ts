import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findModelFile } from '../../server/model-folders.js';
import { parseSafetensorsMetadata, readSafetensorsMetadata } from '../../server/model-metadata.js';

/** A safetensors file's bytes: the header's length as a little-endian u64, the header, then (fake) tensor data. */
function safetensors(header: unknown, declaredLength?: bigint): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(declaredLength ?? BigInt(json.length));
  return Buffer.concat([prefix, json, Buffer.alloc(16)]);
}

describe('safetensors metadata', () => {
  it('gives __metadata__, or why there is none', () => {
    expect(parseSafetensorsMetadata(Buffer.from('{"__metadata__":{"ss_name":"x"}}'))).toEqual({
      ok: true,
      value: { ss_name: 'x' },
    });
    expect(parseSafetensorsMetadata(Buffer.from('{"w":{}}')).ok).toBe(false);
    expect(parseSafetensorsMetadata(Buffer.from('{"__metadata__":[1]}')).ok).toBe(false);
    expect(parseSafetensorsMetadata(Buffer.from('not json')).ok).toBe(false);
    expect(parseSafetensorsMetadata(Buffer.from('[1]')).ok).toBe(false);
  });

  it('reads only the header of a file, and refuses a header over 1 MiB or a short file', () => {
    const folder = mkdtempSync(join(tmpdir(), 'inkgraph-st-'));
    writeFileSync(join(folder, 'a.safetensors'), safetensors({ __metadata__: { format: 'pt' }, w: { dtype: 'F32' } }));
    expect(readSafetensorsMetadata(join(folder, 'a.safetensors'))).toEqual({ ok: true, value: { format: 'pt' } });
    writeFileSync(join(folder, 'huge.safetensors'), safetensors({}, 2n ** 40n));
    expect(readSafetensorsMetadata(join(folder, 'huge.safetensors')).ok).toBe(false);
    writeFileSync(join(folder, 'short.safetensors'), Buffer.alloc(3));
    expect(readSafetensorsMetadata(join(folder, 'short.safetensors')).ok).toBe(false);
  });

  it('finds files only inside folders of plain files', () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'inkgraph-models-'));
    mkdirSync(join(modelsDir, 'classifiers'));
    writeFileSync(join(modelsDir, 'classifiers', 'c.safetensors'), '');
    writeFileSync(join(modelsDir, 'secret.safetensors'), '');
    expect(findModelFile(modelsDir, 'classifiers', 'c.safetensors')).toEqual({
      ok: true,
      value: join(modelsDir, 'classifiers', 'c.safetensors'),
    });
    expect(findModelFile(modelsDir, 'classifiers', '../secret.safetensors').ok).toBe(false);
    expect(findModelFile(modelsDir, 'classifiers', 'gone.safetensors').ok).toBe(false);
    expect(findModelFile(modelsDir, 'checkpoints', 'c.safetensors').ok).toBe(false);
    expect(findModelFile(modelsDir, 'nope', 'c.safetensors').ok).toBe(false);
  });
});
