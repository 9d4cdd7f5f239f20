import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readModelSizes } from '../../server/model-sizes.js';
import { isFarFromModelSize } from '../../shared/model-sizes.js';

const root = mkdtempSync(join(tmpdir(), 'inkgraph-sizes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function pipeline(name: string, configs: Record<string, unknown>): void {
  mkdirSync(join(root, name), { recursive: true });
  writeFileSync(join(root, name, 'model_index.json'), '{}');
  for (const [part, config] of Object.entries(configs)) {
    mkdirSync(join(root, name, part), { recursive: true });
    writeFileSync(join(root, name, part, 'config.json'), JSON.stringify(config));
  }
}

describe('model sizes', () => {
  it("reads the VAE's pixel size, else the UNet's cells times the VAE's cell; unknown sizes are left out", () => {
    pipeline('sd15', { unet: { sample_size: 64 }, vae_decoder: { block_out_channels: [128, 256, 512, 512] } });
    pipeline('sdxl-vae', { unet: { sample_size: 128 }, vae_decoder: { sample_size: 1024 } });
    pipeline('unknown', { unet: { in_channels: 4 } });
    mkdirSync(join(root, 'not-a-pipeline'));
    expect(readModelSizes(root)).toEqual({
      sd15: { width: 512, height: 512 },
      'sdxl-vae': { width: 1024, height: 1024 },
    });
  });

  it('knows the shipped model is 64×64', () => {
    const shipped = readModelSizes(resolve(import.meta.dirname, '..', '..', 'models', 'diffusion'));
    expect(shipped['inkgraph-emoji']).toEqual({ width: 64, height: 64 });
  });

  it('calls a size far when it has over 4× or under ¼ of the pixels', () => {
    const native = { width: 64, height: 64 };
    expect(isFarFromModelSize(native, 512, 512)).toBe(true);
    expect(isFarFromModelSize(native, 128, 128)).toBe(false);
    expect(isFarFromModelSize(native, 128, 136)).toBe(true);
    expect(isFarFromModelSize(native, 32, 32)).toBe(false);
    expect(isFarFromModelSize(native, 16, 32)).toBe(true);
  });
});
