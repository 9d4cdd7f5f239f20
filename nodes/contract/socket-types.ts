/**
 * IMAGE and MASK values, laid out as ComfyUI lays them out:
 * IMAGE is float32 [B, H, W, C] in 0..1 (C = 3, or 4 with alpha); MASK is float32 [B, H, W] in 0..1.
 */
export interface ImageBatch {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: 3 | 4;
  readonly data: Float32Array;
}

export interface MaskBatch {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/**
 * The run-time value carried by each socket type. Modules that add socket types (MODEL, CLIP, …)
 * extend this interface by declaration merging, so node inputs and outputs stay typed end to end.
 */
export interface SocketTypes {
  IMAGE: ImageBatch;
  MASK: MaskBatch;
  STRING: string;
  INT: number;
  FLOAT: number;
  BOOLEAN: boolean;
}

export type SocketTypeName = Extract<keyof SocketTypes, string>;
