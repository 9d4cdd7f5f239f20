import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Feed, InputInfo } from '../onnx/session.js';
import type { MemoryPart } from './memory-profile.js';
import { probeFeedShapes, probeMaxRows } from './probe-feeds.js';

/**
 * The feeds a part of a pipeline is timed on when it loads (nodes/runtime/onnx/tuned-session.ts): the model's own
 * size (unet/config.json's sample_size; 64 latent cells, SD's 512², when absent), two UNet rows (one item with CFG,
 * or one where the export takes one), the VAE's cell size and channels.
 */

const configSchema = z
  .object({
    sample_size: z.number().int().positive().optional(),
    latent_channels: z.number().int().positive().optional(),
    downscale_factor: z.number().int().positive().optional(),
    block_out_channels: z.array(z.number()).optional(),
  })
  .passthrough();

function readConfig(path: string): z.infer<typeof configSchema> {
  if (!existsSync(path)) return {};
  const parsed = configSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success ? parsed.data : {};
}

const DEFAULT_SIDE = 64;

export function pipelineProbe(
  dir: string,
  part: MemoryPart,
): (inputs: ReadonlyMap<string, InputInfo>) => Record<string, Feed> | undefined {
  return (inputs) => {
    const unet = readConfig(join(dir, 'unet', 'config.json'));
    const vae = readConfig(join(dir, 'vae_decoder', 'config.json'));
    const downscale = vae.downscale_factor ?? (vae.block_out_channels ? 2 ** (vae.block_out_channels.length - 1) : 8);
    const rows = part === 'unet' ? Math.min(2, probeMaxRows(part, inputs) ?? 2) : 1;
    try {
      const shapes = probeFeedShapes(part, inputs, {
        side: unet.sample_size ?? DEFAULT_SIDE,
        rows,
        downscale,
        latentChannels: vae.latent_channels ?? 4,
      });
      return Object.fromEntries(
        Object.entries(shapes).map(([name, shape]) => {
          const size = shape.dims.reduce((a, b) => a * b, 1);
          return [name, { data: new Float32Array(size).fill(shape.fill), dims: shape.dims }];
        }),
      );
    } catch {
      // An input the probe cannot shape: the part keeps the default threads rather than fail to load.
      return undefined;
    }
  };
}
