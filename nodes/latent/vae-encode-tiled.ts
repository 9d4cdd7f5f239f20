import { defineNode } from '../contract/node-definition.js';
import { encodeImagesTiled, vaeEncodeTiledMemory } from '../runtime/diffusion/vae-tiled.js';

export const VAEEncodeTiled = defineNode({
  classType: 'VAEEncodeTiled',
  displayName: 'VAE Encode (Tiled)',
  category: '_for_testing',
  description:
    "Encodes images into latents with the VAE one overlapping tile at a time, blending the tiles (for large images); alpha is dropped and sizes are cropped to the VAE's cell. temporal_size and temporal_overlap only apply to video VAEs and are ignored here.",
  translations: {
    'zh-CN': {
      tooltips: {
        tile_size: '分块边长（像素）。',
        overlap: '分块重叠（像素）。',
        temporal_size: '仅用于视频 VAE：每次编码的帧数。',
        temporal_overlap: '仅用于视频 VAE：重叠的帧数。',
      },
      display_name: 'VAE 分块编码',
      description:
        '用 VAE 逐块编码图像，块之间重叠并混合（用于大图）；去掉透明通道，尺寸裁剪到 VAE 单元的整数倍。temporal_size 与 temporal_overlap 只用于视频 VAE，此处忽略。',
      inputs: {
        pixels: '像素',
        vae: 'VAE',
        tile_size: '分块大小',
        overlap: '重叠',
        temporal_size: '时间分块大小',
        temporal_overlap: '时间重叠',
      },
    },
  },
  inputs: {
    pixels: { kind: 'SOCKET', type: 'IMAGE' },
    vae: { kind: 'SOCKET', type: 'VAE' },
    tile_size: { kind: 'INT', default: 512, min: 64, max: 4096, step: 64, tooltip: 'Tile side in pixels.' },
    overlap: { kind: 'INT', default: 64, min: 0, max: 4096, step: 32, tooltip: 'Tile overlap in pixels.' },
    temporal_size: {
      kind: 'INT',
      default: 64,
      min: 8,
      max: 4096,
      step: 4,
      tooltip: 'Only used for video VAEs: Amount of frames to encode at a time.',
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
  outputs: [{ type: 'LATENT', name: 'LATENT' }],
  estimate: ({ pixels, vae, tile_size, overlap }) =>
    vaeEncodeTiledMemory(
      pixels,
      vae,
      tile_size !== undefined && overlap !== undefined ? { tileX: tile_size, tileY: tile_size, overlap } : undefined,
    ),
  // Unlike the decoder, ComfyUI passes the encoder's tile and overlap in pixels, unchanged and uncapped.
  run: async ({ pixels, vae, tile_size, overlap }, ctx) => {
    const samples = await encodeImagesTiled(
      vae,
      pixels,
      { tileX: tile_size, tileY: tile_size, overlap },
      ctx.caches,
      (done, total) => ctx.progress({ value: done, max: total }),
    ).catch((error: unknown) => {
      throw new Error(`VAEEncodeTiled: ${error instanceof Error ? error.message : String(error)}`);
    });
    return { outputs: [{ samples, downscale: vae.downscale }] };
  },
});
