import type { LatentRgb } from '../../../media/latent-preview.js';
import type { ClipTokenizer } from '../text/clip-tokenizer.js';
import type { SharedCaches } from '../../contract/node-context.js';
import type { InputInfo, LoadedSession } from '../onnx/session.js';
import type { ModelSampling } from '../sampling/model-sampling.js';
import type { RowCost } from '../../contract/memory.js';
import type { MaskBatch } from '../../contract/socket-types.js';
import type { TextEncoderLayers } from './clip-layers.js';
import type { PipelinePatches } from './patched-model.js';
import type { AppliedControl, ResidualInputs } from './control-types.js';

/** An NCHW float tensor. */
export interface Tensor4 {
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** LATENT, as ComfyUI carries it: VAE-space latents (not multiplied by the model's scale factor). */
export interface Latent {
  readonly samples: Tensor4;
  /** Pixels per latent cell along each side (8 for SD VAEs); absent means 8, as in ComfyUI. */
  readonly downscale?: number;
  /** ComfyUI's `noise_mask`: where the sampler may change the latent (1) and where it keeps it (0), any size. */
  readonly noiseMask?: MaskBatch;
  /** ComfyUI's `batch_index`: which item of a larger batch each item is, so its noise is that item's noise. */
  readonly batchIndex?: readonly number[];
}

/**
 * ComfyUI's conditioning `area`: in pixels (ComfyUI keeps it in 8-pixel cells; the sampler divides by the model's
 * own cell size, which is 8 for SD VAEs), or as fractions of the latent (ConditioningSetAreaPercentage).
 */
export type ConditioningArea =
  | { readonly unit: 'pixels'; readonly height: number; readonly width: number; readonly y: number; readonly x: number }
  | {
      readonly unit: 'fraction';
      readonly height: number;
      readonly width: number;
      readonly y: number;
      readonly x: number;
    };

/** SDXL's size conditioning (CLIPTextEncodeSDXL); absent fields default to the latent's size, as in ComfyUI. */
export interface SdxlSizeConditioning {
  readonly width: number;
  readonly height: number;
  readonly cropW: number;
  readonly cropH: number;
  readonly targetWidth: number;
  readonly targetHeight: number;
}

/**
 * One conditioning, ComfyUI's `[tensor, dict]`: token embeddings [tokens, dim] (77 per chunk), the pooled
 * embedding, and the dict's keys the sampler honours (areas, masks, strengths, timestep ranges, SDXL sizes,
 * inpainting's concat latent).
 */
export interface ConditioningEntry {
  readonly embeddings: Float32Array;
  readonly tokens: number;
  readonly dim: number;
  readonly pooled: Float32Array | undefined;
  readonly area?: ConditioningArea;
  /** Weight of this entry where it overlaps others (ConditioningSetArea/Mask `strength`; 1 when absent). */
  readonly strength?: number;
  readonly setAreaToBounds?: boolean;
  readonly mask?: MaskBatch;
  readonly maskStrength?: number;
  /** ConditioningSetTimestepRange: the part of the sampling (0 = start, 1 = end) this entry is used in. */
  readonly startPercent?: number;
  readonly endPercent?: number;
  readonly sdxlSize?: Partial<SdxlSizeConditioning>;
  /** SDXL refiner's aesthetic score (6 for positive, 2.5 for negative when absent, as ComfyUI). */
  readonly aestheticScore?: number;
  /** InpaintModelConditioning: the masked image's latent and the mask, fed to 9-channel UNets. */
  readonly concatLatent?: Tensor4;
  readonly concatMask?: MaskBatch;
  /** The ControlNet applied last (ControlNetApply, ControlNetApplyAdvanced), linked to those before it. */
  readonly control?: AppliedControl;
  /** Applied by the old ControlNetApply: the sampler lends it to the negative side too. */
  readonly controlApplyToUncond?: boolean;
}

export type Conditioning = readonly ConditioningEntry[];

/** The sessions of one pipeline folder, loaded together and freed together. */
export interface PipelineSessions {
  readonly unet: LoadedSession;
  /** `text_encoder/` (CLIP-L for SDXL); absent only in SDXL refiner exports, which have just `text_encoder_2/`. */
  readonly textEncoder: LoadedSession | undefined;
  /** SDXL's `text_encoder_2/` (OpenCLIP bigG with its projection: ComfyUI's clip_g). */
  readonly textEncoder2: LoadedSession | undefined;
  readonly vaeDecoder: LoadedSession;
  readonly vaeEncoder: LoadedSession | undefined;
}

/**
 * A pipeline as node outputs carry it: its sessions are fetched from the shared caches on each use, so a
 * cached MODEL/CLIP/VAE output stays valid after the sessions were evicted or freed (they load again).
 */
export interface PipelineHandle {
  readonly dir: string;
  /** LoRAs applied to its parts (LoraLoader); the sessions come with them applied. */
  readonly patches: PipelinePatches;
  /** Where patched copies of models with external data are written. */
  readonly patchDir: string | undefined;
  sessions(caches: SharedCaches): Promise<PipelineSessions>;
}

export interface DiffusionModel {
  readonly name: string;
  readonly pipeline: PipelineHandle;
  readonly unetInputs: ReadonlyMap<string, InputInfo>;
  /** A ControlNet-ready UNet's residual inputs (with each one's depth), undefined for a plain export. */
  readonly residualInputs: ResidualInputs | undefined;
  readonly sampling: ModelSampling;
  readonly latentChannels: number;
  /** Pixels per latent cell of the model's VAE. */
  readonly downscale: number;
  readonly scaleFactor: number;
  readonly latentRgb: LatentRgb | undefined;
  /** LCM exports take a guidance embedding instead of running CFG. */
  readonly timestepCondDim: number | undefined;
  /**
   * SDXL UNets also take `text_embeds` (the pooled embedding) and `time_ids`: 6 sizes for the base model, 5 values
   * with the aesthetic score for the refiner (ComfyUI's SDXL/SDXLRefiner `encode_adm`).
   */
  readonly sizeConditioning: 'sdxl' | 'sdxl-refiner' | undefined;
  /** Channels of the UNet's `sample`: the latent's, or latent + mask + masked latent (9) for inpainting UNets. */
  readonly unetInChannels: number;
  /** The largest batch the UNet takes in one call (1 for static-batch exports). */
  readonly maxBatch: number;
  /** The pipeline's own decoder, for `vae` previews. */
  readonly previewDecoder: VaeModel;
  /** What one UNet batch row costs in memory (memory-profile.ts), read with the folder: the sampler splits calls by it. */
  readonly unetCost: RowCost;
  /** RescaleCFG's multiplier, when that patch is applied (ComfyUI's sampler_cfg_function). */
  readonly cfgRescale?: number;
}

/** One text encoder of a pipeline with its tokenizer and special tokens. */
export interface ClipEncoder {
  /** Which of the pipeline's sessions runs it. */
  readonly session: 'textEncoder' | 'textEncoder2';
  readonly tokenizer: ClipTokenizer;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly maxLength: number;
  /** The output read as token embeddings: SDXL reads the penultimate `hidden_states.K` (no final layer norm). */
  readonly hiddenOutput: string;
}

/** SDXL's two encoders as ComfyUI names them: clip_l (absent in refiner exports) and clip_g. */
export interface SdxlEncoders {
  readonly l: ClipEncoder | undefined;
  readonly g: ClipEncoder;
}

/** CLIP. Its own tokenizer fields are the first encoder's (SD1/SD2: the only one; SDXL: clip_l, or clip_g in a refiner). */
export interface ClipModel {
  readonly name: string;
  readonly pipeline: PipelineHandle;
  readonly tokenizer: ClipTokenizer;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly maxLength: number;
  /** CLIPSetLastLayer's stop_at_clip_layer (−1: the last layer); absent: the model's default. */
  readonly stopAtLayer?: number;
  /** SD1/SD2's text encoder depth and hidden-state outputs, for clip skip. */
  readonly layers?: TextEncoderLayers;
  /** Present for SDXL pipelines: encode with both and concatenate (ComfyUI's SDXLClipModel / SDXLRefinerClipModel). */
  readonly sdxl?: SdxlEncoders;
}

/** The sessions a VAE needs; a whole pipeline's handle provides them too. */
export interface VaeHandle {
  /** The pipeline folder the VAE's models are in. */
  readonly dir: string;
  sessions(caches: SharedCaches): Promise<Pick<PipelineSessions, 'vaeDecoder' | 'vaeEncoder'>>;
}

export interface VaeModel {
  readonly name: string;
  readonly pipeline: VaeHandle;
  readonly encoderOutput: 'latent_parameters' | 'latent_sample' | undefined;
  readonly scaleFactor: number;
  readonly latentChannels: number;
  /** Pixels per latent cell along each side (8 for SD; read from the VAE's config). */
  readonly downscale: number;
}

declare module '../../contract/socket-types.js' {
  interface SocketTypes {
    MODEL: DiffusionModel;
    CLIP: ClipModel;
    VAE: VaeModel;
    CONDITIONING: Conditioning;
    LATENT: Latent;
  }
}
