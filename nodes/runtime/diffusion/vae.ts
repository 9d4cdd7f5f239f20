import type { SharedCaches } from '../../contract/node-context.js';
import { createImageBatch } from '../image/image-batch.js';
import type { ImageBatch } from '../../contract/socket-types.js';
import { runSession } from '../onnx/session.js';
import type { Tensor4, VaeModel } from './types.js';

/** VAE decode of VAE-space latents into an IMAGE, one item at a time (as diffusers' ONNX pipelines do). */
export async function decodeLatents(
  vae: VaeModel,
  latents: Tensor4,
  caches: SharedCaches,
  onItem?: (done: number, total: number) => void,
): Promise<ImageBatch> {
  const { vaeDecoder } = await vae.pipeline.sessions(caches);
  if (latents.channels !== vae.latentChannels) {
    throw new Error(`the latent has ${latents.channels} channels but this VAE takes ${vae.latentChannels}`);
  }
  const itemSize = latents.channels * latents.height * latents.width;
  let out: ImageBatch | undefined;
  for (let b = 0; b < latents.batch; b++) {
    const result = await runSession(vaeDecoder, {
      latent_sample: {
        data: latents.data.subarray(b * itemSize, (b + 1) * itemSize),
        dims: [1, latents.channels, latents.height, latents.width],
      },
    });
    const sample = result.sample ?? Object.values(result)[0];
    if (!sample || sample.dims.length !== 4) throw new Error('the VAE decoder returned no [1, 3, H, W] sample');
    const height = Number(sample.dims[2]);
    const width = Number(sample.dims[3]);
    out ??= createImageBatch(latents.batch, height, width, 3);
    const plane = height * width;
    const base = b * plane * 3;
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) {
        const value = (sample.data[c * plane + p]! + 1) / 2;
        out.data[base + p * 3 + c] = value <= 0 ? 0 : value >= 1 ? 1 : value;
      }
    }
    onItem?.(b + 1, latents.batch);
  }
  if (!out) throw new Error('cannot decode an empty latent batch');
  return out;
}

/** VAE encode of an IMAGE (alpha dropped, cropped to a multiple of the VAE's downscale) into VAE-space latents. */
export async function encodeImages(vae: VaeModel, images: ImageBatch, caches: SharedCaches): Promise<Tensor4> {
  const { vaeEncoder } = await vae.pipeline.sessions(caches);
  if (!vaeEncoder || !vae.encoderOutput)
    throw new Error(`${vae.name} has no vae_encoder/model.onnx, so it cannot encode images (img2img)`);
  const step = vae.downscale;
  const height = Math.floor(images.height / step) * step;
  const width = Math.floor(images.width / step) * step;
  if (height === 0 || width === 0)
    throw new Error(`the image (${images.width}×${images.height}) is smaller than the VAE's ${step}-pixel cell`);
  const yOffset = Math.floor((images.height - height) / 2);
  const xOffset = Math.floor((images.width - width) / 2);
  const plane = height * width;
  let latents: Float32Array | undefined;
  let dims: [number, number, number] = [0, 0, 0];
  for (let b = 0; b < images.batch; b++) {
    const pixels = new Float32Array(3 * plane);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const source = ((b * images.height + y + yOffset) * images.width + x + xOffset) * images.channels;
        for (let c = 0; c < 3; c++) pixels[c * plane + y * width + x] = images.data[source + c]! * 2 - 1;
      }
    }
    const result = await runSession(vaeEncoder, { sample: { data: pixels, dims: [1, 3, height, width] } });
    const output = result[vae.encoderOutput];
    if (!output) throw new Error(`the VAE encoder returned no ${vae.encoderOutput}`);
    const channels = vae.encoderOutput === 'latent_parameters' ? Number(output.dims[1]) / 2 : Number(output.dims[1]);
    const latentHeight = Number(output.dims[2]);
    const latentWidth = Number(output.dims[3]);
    dims = [channels, latentHeight, latentWidth];
    const itemSize = channels * latentHeight * latentWidth;
    latents ??= new Float32Array(images.batch * itemSize);
    // latent_parameters is mean ‖ logvar: the mean is the first half of the channels.
    latents.set(output.data.subarray(0, itemSize), b * itemSize);
  }
  return { batch: images.batch, channels: dims[0], height: dims[1], width: dims[2], data: latents! };
}
