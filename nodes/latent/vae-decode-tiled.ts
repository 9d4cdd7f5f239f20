import { defineNode } from '../contract/node-definition.js';
import { decodeLatentsTiled, vaeDecodeTiledMemory, type TileSettings } from '../runtime/diffusion/vae-tiled.js';

/**
 * ComfyUI's widget values in pixels to tiles in latent cells, with the model's own cell size: the overlap is capped
 * at a quarter of the tile. The temporal inputs only matter to video VAEs, which Inkgraph has none of.
 */
export function decodeTileSettings(tileSize: number, overlap: number, cell: number): TileSettings {
  const capped = tileSize < overlap * 4 ? Math.floor(tileSize / 4) : overlap;
  const tile = Math.floor(tileSize / cell);
  return { tileX: tile, tileY: tile, overlap: Math.floor(capped / cell) };
}

export const VAEDecodeTiled = defineNode({
  classType: 'VAEDecodeTiled',
  displayName: 'VAE Decode (Tiled)',
  category: '_for_testing',
  description:
    'Decodes latents into images with the VAE one overlapping tile at a time, blending the tiles so no seam shows (for large images). temporal_size and temporal_overlap only apply to video VAEs and are ignored here.',
  translations: {
    'zh-CN': {
      tooltips: {
        samples: '要解码的潜空间图像。',
        tile_size: '分块边长（像素）。',
        overlap: '分块重叠（像素）。',
        temporal_size: '仅用于视频 VAE：每次解码的帧数。',
        temporal_overlap: '仅用于视频 VAE：重叠的帧数。',
      },
      display_name: 'VAE 分块解码',
      description:
        '用 VAE 逐块解码潜空间图像，块之间重叠并羽化混合，不留接缝（用于大图）。temporal_size 与 temporal_overlap 只用于视频 VAE，此处忽略。',
      inputs: {
        samples: '潜空间',
        vae: 'VAE',
        tile_size: '分块大小',
        overlap: '重叠',
        temporal_size: '时间分块大小',
        temporal_overlap: '时间重叠',
      },
    },
  },
  inputs: {
    samples: { kind: 'SOCKET', type: 'LATENT', tooltip: 'The latents to decode.' },
    vae: { kind: 'SOCKET', type: 'VAE' },
    tile_size: { kind: 'INT', default: 512, min: 64, max: 4096, step: 32, tooltip: 'Tile side in pixels.' },
    overlap: { kind: 'INT', default: 64, min: 0, max: 4096, step: 32, tooltip: 'Tile overlap in pixels.' },
    temporal_size: {
      kind: 'INT',
      default: 64,
      min: 8,
      max: 4096,
      step: 4,
      tooltip: 'Only used for video VAEs: Amount of frames to decode at a time.',
    },
    temporal_overlap: {
      kind: 'INT',
      default: 8,
      min: 4,
      max: 4096,
      step: 4,
      tooltip: 'Only used for video VAEs: Amount of frames to overlap.',
    },
  },
  outputs: [{ type: 'IMAGE', name: 'IMAGE' }],
  estimate: ({ samples, vae, tile_size, overlap }) =>
    vaeDecodeTiledMemory(
      samples,
      vae,
      vae && tile_size !== undefined && overlap !== undefined
        ? decodeTileSettings(tile_size, overlap, vae.downscale)
        : undefined,
    ),
  run: async ({ samples, vae, tile_size, overlap }, ctx) => {
    const settings = decodeTileSettings(tile_size, overlap, vae.downscale);
    if (settings.tileX < 2)
      throw new Error(`VAEDecodeTiled: tile_size ${tile_size} is under two of this VAE's ${vae.downscale}-pixel cells`);
    const image = await decodeLatentsTiled(vae, samples.samples, settings, ctx.caches, (done, total) =>
      ctx.progress({ value: done, max: total }),
    ).catch((error: unknown) => {
      throw new Error(`VAEDecodeTiled: ${error instanceof Error ? error.message : String(error)}`);
    });
    return { outputs: [image] };
  },
});
