import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rowBytes, type LatentShape, type RowCost } from '../../nodes/contract/memory.js';
import { createRegistry } from '../../nodes/index.js';
import { inpaintConcatBytes, samplerMemory, textEncodeMemory } from '../../nodes/runtime/diffusion/memory-estimates.js';
import {
  genericCosts,
  MEMORY_PROFILE_FILE,
  MEMORY_PROFILE_FORMAT,
  pipelineShape,
  readMemoryProfile,
  sumCosts,
  textEncoderParts,
  type MemoryProfile,
} from '../../nodes/runtime/diffusion/memory-profile.js';
import { FIXTURE_MODELS } from '../helpers/diffusion.js';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const fixture = (name: string): string => join(FIXTURE_MODELS, 'diffusion', name);
const env = { inputDir: '/nonexistent', outputDir: '/nonexistent', tempDir: '/nonexistent', modelsDir: FIXTURE_MODELS };
const scratch = mkdtempSync(join(tmpdir(), 'inkgraph-sdxl-memory-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const cost = (constant: number, linear = 0, quadratic = 0): RowCost => ({ constant, linear, quadratic });

/** A copy of a fixture pipeline with the given profile written into it. */
function withProfile(name: string, parts: MemoryProfile['parts'], extra: Partial<MemoryProfile> = {}): string {
  const dir = join(scratch, `${name}-${Object.keys(parts).join('-')}`);
  cpSync(fixture(name), dir, { recursive: true });
  const profile: MemoryProfile = {
    format: MEMORY_PROFILE_FORMAT,
    version: 1,
    measured_with: 'test',
    parts,
    samples: {},
    ...extra,
  };
  writeFileSync(join(dir, MEMORY_PROFILE_FILE), JSON.stringify(profile));
  return dir;
}

describe('text-encode memory of SDXL pipelines', () => {
  it('finds both encoders in a base, only the second in a refiner, the first in SD 1.x', () => {
    expect(textEncoderParts(fixture('tiny-sdxl'))).toEqual(['text_encoder', 'text_encoder_2']);
    expect(textEncoderParts(fixture('tiny-sdxl-refiner'))).toEqual(['text_encoder_2']);
    expect(textEncoderParts(fixture('tiny-sd-fp32'))).toEqual(['text_encoder']);
  });

  it('counts the generic cost once per encoder without a profile', () => {
    const one = genericCosts(8).text_encoder.constant;
    expect(one).toBe(64 * MIB);
    expect(pipelineShape(fixture('tiny-sdxl')).textEncoder).toEqual(cost(2 * one));
    expect(pipelineShape(fixture('tiny-sdxl-refiner')).textEncoder).toEqual(cost(one));
    expect(pipelineShape(fixture('tiny-sd-fp32')).textEncoder).toEqual(cost(one));
  });

  it('adds both measured encoders of a base, and reads a refiner profile that has only text_encoder_2', () => {
    const unet = cost(3 * MIB, 100);
    const vae = cost(4 * MIB, 6000);
    const base = withProfile('tiny-sdxl', {
      unet,
      vae_decoder: vae,
      text_encoder: cost(3 * MIB),
      text_encoder_2: cost(1 * MIB, 10),
    });
    const shape = pipelineShape(base);
    expect(shape.measured).toBe(true);
    expect(shape.textEncoder).toEqual(cost(4 * MIB, 10));
    expect(textEncodeMemory(shape).workingBytes).toBe(4 * MIB);
    // Through the node as the job estimate calls it.
    const node = [...createRegistry().values()].find((entry) => entry.classType === 'CLIPTextEncodeSDXL');
    expect(node?.estimate({ clip: shape }, { env, memoryBudgetBytes: GIB }).workingBytes).toBe(4 * MIB);

    const refiner = withProfile('tiny-sdxl-refiner', { unet, vae_decoder: vae, text_encoder_2: cost(2 * MIB) });
    expect(readMemoryProfile(refiner).problem).toBeUndefined();
    expect(pipelineShape(refiner).textEncoder).toEqual(cost(2 * MIB));
    expect(sumCosts([])).toEqual(cost(0));
  });
});

describe('sampler memory of a 9-channel inpainting UNet', () => {
  it('reads the UNet channels from unet/config.json, or from the profile the probe wrote', () => {
    expect(pipelineShape(fixture('tiny-sd-inpaint')).unetInChannels).toBe(9);
    expect(pipelineShape(fixture('tiny-sd-inpaint')).latentChannels).toBe(4);
    expect(pipelineShape(fixture('tiny-sdxl')).unetInChannels).toBe(4);
    expect(pipelineShape(fixture('tiny-sd-fp32')).unetInChannels).toBe(4);
    const measured = withProfile(
      'tiny-sd-fp32',
      { unet: cost(MIB), vae_decoder: cost(MIB), text_encoder: cost(MIB) },
      { unet_in_channels: 9 },
    );
    expect(pipelineShape(measured).unetInChannels).toBe(9);
  });

  it('adds the [mask, masked latent] channels held per row and fed per call', () => {
    const inpaint = pipelineShape(fixture('tiny-sd-inpaint'));
    const plain = { ...inpaint, unetInChannels: 4 };
    const latent: LatentShape = { kind: 'latent', batch: 1, channels: 4, height: 8, width: 8, downscale: 8 };
    const ctx = { env, memoryBudgetBytes: 12 * GIB };
    // cfg 7: 2 rows (cond, uncond), both in one call; 5 extra channels of 64 cells, float32.
    const extra = 5 * 64 * 4 * (2 + 2);
    expect(inpaintConcatBytes(inpaint, latent, 2, 2)).toBe(extra);
    expect(inpaintConcatBytes(plain, latent, 2, 2)).toBe(0);
    expect(
      samplerMemory(inpaint, latent, 7, ctx).workingBytes - samplerMemory(plain, latent, 7, ctx).workingBytes,
    ).toBe(extra);
    // The UNet's own cost per row is in there, as for a 4-channel UNet.
    expect(samplerMemory(inpaint, latent, 7, ctx).workingBytes).toBeGreaterThan(2 * rowBytes(inpaint.unet!, 64));
  });
});
