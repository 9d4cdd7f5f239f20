import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FIXTURE_MODELS } from '../helpers/diffusion.js';

/**
 * One probe of `inkgraph calibrate-memory` per kind of UNet, as calibrate-memory.ts starts it (a process of its own),
 * in the fast suite; the whole calibration is in calibrate-memory.slow.test.ts.
 */

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..', '..');

interface Measurement {
  part: string;
  rows: number;
  cells: number;
  bytes: number;
  ms: number;
  max_rows: number | null;
  in_channels?: number | null;
}

async function probe(pipeline: string, part: string, side: number, rows: number): Promise<Measurement> {
  const { stdout } = await run(process.execPath, [
    join(root, 'bin', 'run-ts.js'),
    join(root, 'server', 'cli', 'memory-probe.ts'),
    join(FIXTURE_MODELS, 'diffusion', pipeline),
    part,
    String(side),
    String(rows),
  ]);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measurement;
}

describe('the memory probe', () => {
  it('runs an SDXL base UNet (text_embeds, 6 time ids) on two rows', async () => {
    const measured = await probe('tiny-sdxl', 'unet', 16, 2);
    expect(measured).toMatchObject({ part: 'unet', rows: 2, cells: 256, max_rows: null, in_channels: 4 });
    expect(measured.bytes).toBeGreaterThanOrEqual(0);
    expect(measured.ms).toBeGreaterThan(0);
  });

  it("runs the refiner's UNet (5 time ids, scalar timestep) and its only encoder, text_encoder_2", async () => {
    expect(await probe('tiny-sdxl-refiner', 'unet', 8, 1)).toMatchObject({ part: 'unet', in_channels: 4 });
    expect(await probe('tiny-sdxl-refiner', 'text_encoder_2', 1, 1)).toMatchObject({ part: 'text_encoder_2' });
  });

  it('runs a 9-channel inpainting UNet on a 9-channel sample', async () => {
    expect(await probe('tiny-sd-inpaint', 'unet', 8, 2)).toMatchObject({ rows: 2, in_channels: 9 });
  });

  it('reports a static batch of one, and refuses two rows for it', async () => {
    expect(await probe('tiny-sd-static-batch', 'unet', 8, 1)).toMatchObject({ max_rows: 1 });
    await expect(probe('tiny-sd-static-batch', 'unet', 8, 2)).rejects.toThrow(/takes batches of 1, not 2/);
  });
});
