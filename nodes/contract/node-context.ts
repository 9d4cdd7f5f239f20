import type { ApiPrompt } from '../../shared/workflow.js';
import type { ImageLimits } from '../../media/image-limits.js';
import type { LatentRgb } from '../../media/latent-preview.js';
import type { RasterU8 } from '../../media/raster.js';

/** What the engine gives a node while it runs or is estimated: its folders, caches, progress and previews. */

/** Where a node may find and put files. Every path here is absolute. */
export interface NodeEnvironment {
  readonly inputDir: string;
  readonly outputDir: string;
  readonly tempDir: string;
  readonly modelsDir: string;
  /** Pixel and text-inflation limits for images read from files (LoadImage); the defaults where absent. */
  readonly imageLimits?: ImageLimits;
}

/** What a memory estimate may read besides the node's inputs. */
export interface EstimateContext {
  readonly env: NodeEnvironment;
  /** The job's memory budget (--max-memory): model calls are split to fit a share of it. */
  readonly memoryBudgetBytes: number;
}

/** RGB or RGBA 8-bit pixels at any size; the engine scales and encodes them. */
export type PreviewImage = RasterU8;

/**
 * A step preview still in latent space (one item of a model-space x0) with the model's Latent2RGB factors: it
 * becomes pixels off the engine's thread, and only when some client will receive it.
 */
export interface LatentPreview {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
  readonly latentRgb: LatentRgb;
}

export interface ProgressUpdate {
  readonly value: number;
  readonly max: number;
  /** A step preview: sent as JPEG, long side at most 512 px, unless the preview method is "none". */
  readonly preview?: PreviewImage;
  /** A step preview as a latent (Latent2RGB), sent like `preview`. */
  readonly latentPreview?: LatentPreview;
  /** A full-size image sent as a PNG frame whatever the preview method (ComfyUI's SaveImageWebsocket). */
  readonly image?: PreviewImage;
}

/** Caches that live across runs (model sessions, tokenizers), shared by all nodes. */
export interface SharedCaches {
  getOrCreate<T>(key: string, create: () => Promise<T>, dispose?: (value: T) => Promise<void> | void): Promise<T>;
  clear(): Promise<void>;
}

/**
 * How step previews are drawn (--preview-method, extra_data.preview_method): `auto` decodes with the model's VAE when
 * that is cheap next to a step, latent→RGB otherwise.
 */
export const previewMethods = ['none', 'auto', 'latent2rgb', 'vae'] as const;
export type PreviewMethod = (typeof previewMethods)[number];

export interface NodeContext {
  readonly nodeId: string;
  readonly promptId: string;
  readonly signal: AbortSignal;
  readonly env: NodeEnvironment;
  readonly caches: SharedCaches;
  /** The prompt as queued (after validation's coercions), for metadata. */
  readonly prompt: ApiPrompt;
  readonly extraPngInfo: Readonly<Record<string, unknown>> | undefined;
  readonly previewMethod: PreviewMethod;
  readonly previewEvery: number;
  /** The job's memory budget (--max-memory): model calls are split to fit a share of it, as the estimate assumed. */
  readonly memoryBudgetBytes: number;
  /** Reports progress; a point where an interrupt takes effect (throws when the run was interrupted). */
  progress(update: ProgressUpdate): void;
  throwIfInterrupted(): void;
}
