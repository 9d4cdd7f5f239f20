import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ModelSizes } from '../shared/model-sizes.js';

/**
 * Each pipeline folder's training size: the VAE's `sample_size` (diffusers gives it in pixels), else the UNet's
 * `sample_size` (latent cells) times the VAE's cell. Folders that state neither are left out (their size is unknown).
 */
const configSchema = z
  .object({
    sample_size: z.number().int().positive().optional(),
    downscale_factor: z.number().int().positive().optional(),
    block_out_channels: z.array(z.number()).optional(),
  })
  .passthrough();

function readConfig(path: string): z.infer<typeof configSchema> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = configSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function readModelSizes(diffusionDir: string): ModelSizes {
  const sizes: ModelSizes = {};
  if (!existsSync(diffusionDir)) return sizes;
  for (const entry of readdirSync(diffusionDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !existsSync(join(diffusionDir, entry.name, 'model_index.json'))) continue;
    const vae = readConfig(join(diffusionDir, entry.name, 'vae_decoder', 'config.json'));
    const unet = readConfig(join(diffusionDir, entry.name, 'unet', 'config.json'));
    const cell = vae?.downscale_factor ?? (vae?.block_out_channels ? 2 ** (vae.block_out_channels.length - 1) : 8);
    const pixels = vae?.sample_size ?? (unet?.sample_size !== undefined ? unet.sample_size * cell : undefined);
    if (pixels !== undefined) sizes[entry.name] = { width: pixels, height: pixels };
  }
  return sizes;
}
