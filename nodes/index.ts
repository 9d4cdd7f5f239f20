import type { NodeClass } from './define-node.js';
import { CheckpointLoaderSimple } from './checkpoint-loader.js';
import { CLIPTextEncode } from './clip-text-encode.js';
import { EmptyLatentImage } from './empty-latent-image.js';
import { KSampler } from './ksampler.js';
import { KSamplerAdvanced } from './ksampler-advanced.js';
import { LatentUpscale } from './latent-upscale.js';
import { VAEDecode } from './vae-decode.js';
import { VAEEncode } from './vae-encode.js';
import { VAELoader } from './vae-loader.js';
import { ImageInvert } from './image-invert.js';
import { ImageScale } from './image-scale.js';
import { LoadImage } from './load-image.js';
import { PreviewImage } from './preview-image.js';
import { PromptText } from './prompt-text.js';
import { ImageCompositeMasked, ImageToMask, InvertMask, JoinImageWithAlpha, MaskToImage } from './mask-nodes.js';
import { DescribeImage, ImageClassifierLoader, ImageClassify, ImageSegment, ImageSegmenterLoader, MaskPreview } from './vision-nodes.js';
import { SaveImage } from './save-image.js';
import { SaveImageWebsocket } from './save-image-websocket.js';

/** Every node Inkgraph ships, in palette order. */
export const allNodes: readonly NodeClass[] = [
  CheckpointLoaderSimple,
  VAELoader,
  CLIPTextEncode,
  EmptyLatentImage,
  KSampler,
  KSamplerAdvanced,
  VAEDecode,
  VAEEncode,
  LatentUpscale,
  LoadImage,
  SaveImage,
  PreviewImage,
  SaveImageWebsocket,
  ImageScale,
  ImageInvert,
  PromptText,
  MaskToImage,
  ImageToMask,
  InvertMask,
  JoinImageWithAlpha,
  ImageCompositeMasked,
  ImageClassifierLoader,
  ImageClassify,
  ImageSegmenterLoader,
  ImageSegment,
  MaskPreview,
  DescribeImage,
];

export type NodeRegistry = ReadonlyMap<string, NodeClass>;

export function createRegistry(nodes: readonly NodeClass[] = allNodes): NodeRegistry {
  const registry = new Map<string, NodeClass>();
  for (const node of nodes) {
    if (registry.has(node.classType)) throw new Error(`two nodes share the class_type ${node.classType}`);
    registry.set(node.classType, node);
  }
  return registry;
}
