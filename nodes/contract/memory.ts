/**
 * What the memory estimate knows of the values flowing through a prompt before anything runs: their shapes, read
 * from widgets, file headers and model folders. Each node declares how its outputs' shapes follow from its
 * inputs' and how much it holds while it runs; the server adds these up along the plan and refuses a job whose
 * peak would pass the budget. Pure.
 */

export interface ImageShape {
  readonly kind: 'image';
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface MaskShape {
  readonly kind: 'mask';
  readonly batch: number;
  readonly height: number;
  readonly width: number;
}

export interface LatentShape {
  readonly kind: 'latent';
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** Pixels per latent cell along each side (8 when absent, as ComfyUI's latents). */
  readonly downscale: number;
}

/** Bytes one part of a model needs per batch row while it runs: c0 + c1·n + c2·n², n = latent cells. */
export interface RowCost {
  readonly constant: number;
  readonly linear: number;
  readonly quadratic: number;
}

export function rowBytes(cost: RowCost, cells: number): number {
  return cost.constant + cost.linear * cells + cost.quadratic * cells * cells;
}

/** A loaded model as the estimate sees it: what its weights take, and what each of its parts costs per row. */
export interface ModelShape {
  readonly kind: 'model';
  /** Identifies the loaded weights (a pipeline folder), so a model used by several nodes is counted once. */
  readonly key: string;
  readonly name: string;
  readonly weightsBytes: number;
  readonly unet?: RowCost;
  readonly vaeDecoder?: RowCost;
  readonly vaeEncoder?: RowCost;
  readonly textEncoder?: RowCost;
  /** Pixels per latent cell of its VAE, and its latent channels. */
  readonly downscale: number;
  readonly latentChannels: number;
  /** Channels its UNet's input takes: the latent's, or more for inpainting UNets ([mask, masked latent] added). */
  readonly unetInChannels?: number;
  /** The largest batch its UNet takes in one call. */
  readonly maxBatch: number;
  /** True when the costs were measured for this model (memory-profile.json), false for the generic guess. */
  readonly measured: boolean;
}

export type ValueShape = ImageShape | MaskShape | LatentShape | ModelShape;

/** Bytes a value of this shape holds (models' weights are counted apart, once per model). */
export function shapeBytes(shape: ValueShape | undefined): number {
  if (!shape) return 0;
  switch (shape.kind) {
    case 'image':
      return shape.batch * shape.height * shape.width * shape.channels * 4;
    case 'mask':
      return shape.batch * shape.height * shape.width * 4;
    case 'latent':
      return shape.batch * shape.channels * shape.height * shape.width * 4;
    case 'model':
      return 0;
  }
}

/** What a node will hold: its outputs, its scratch memory while it runs, and the models it loads. */
export interface NodeMemory {
  readonly outputs: readonly (ValueShape | undefined)[];
  /** Bytes besides its inputs and outputs while it runs: buffers, codecs, model activations. */
  readonly workingBytes: number;
  /** Models it loads (weights stay loaded across nodes and runs), each counted once per key. */
  readonly models?: readonly LoadedWeights[];
  /** The input most responsible for the memory, and how, for the error that refuses a job. */
  readonly driver?: { readonly input: string; readonly why: string };
}

export interface LoadedWeights {
  readonly key: string;
  readonly name: string;
  readonly bytes: number;
}

export function weightsOf(model: ModelShape): LoadedWeights {
  return { key: model.key, name: model.name, bytes: model.weightsBytes };
}

export const NO_MEMORY: NodeMemory = { outputs: [], workingBytes: 0 };

export function describeShape(shape: ValueShape): string {
  switch (shape.kind) {
    case 'image':
      return `IMAGE ${shape.batch}×${shape.height}×${shape.width}×${shape.channels}`;
    case 'mask':
      return `MASK ${shape.batch}×${shape.height}×${shape.width}`;
    case 'latent':
      return `LATENT ${shape.batch}×${shape.channels}×${shape.height}×${shape.width} (${shape.width * shape.downscale}×${shape.height * shape.downscale} px)`;
    case 'model':
      return `model ${shape.name}`;
  }
}

/** The shape each socket type's values have in the estimate (other types hold nothing worth counting). */
export interface SocketShapes {
  IMAGE: ImageShape;
  MASK: MaskShape;
  LATENT: LatentShape;
  MODEL: ModelShape;
  CLIP: ModelShape;
  VAE: ModelShape;
  /** A guider is as heavy as the model it calls. */
  GUIDER: ModelShape;
}

const socketShapeKinds = {
  IMAGE: 'image',
  MASK: 'mask',
  LATENT: 'latent',
  MODEL: 'model',
  CLIP: 'model',
  VAE: 'model',
  GUIDER: 'model',
} as const satisfies Record<keyof SocketShapes, ValueShape['kind']>;
const SOCKET_SHAPE_KINDS: ReadonlyMap<string, ValueShape['kind']> = new Map(Object.entries(socketShapeKinds));

/** The shape kind a socket type carries, if the estimate tracks it. */
export function shapeKindOf(socketType: string): ValueShape['kind'] | undefined {
  return SOCKET_SHAPE_KINDS.get(socketType);
}
