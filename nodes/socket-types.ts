import type { ImageBatch, MaskBatch } from './runtime/image.js';

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

export type SocketTypeName = keyof SocketTypes & string;
