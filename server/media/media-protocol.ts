import type { ImageLimits } from '../../media/image-limits.js';
import type { UploadVerdict, ViewConversion, ViewResult } from './media-tasks.js';

/** Messages between the server and its media worker; `id` pairs each answer with its request. */
export type MediaRequest =
  | { readonly id: number; readonly task: 'check'; readonly bytes: Uint8Array; readonly name: string }
  | {
      readonly id: number;
      readonly task: 'view';
      readonly path: string;
      readonly name: string;
      readonly conversion: ViewConversion;
    };

export type MediaResponse =
  | { readonly id: number; readonly task: 'check'; readonly result: UploadVerdict }
  | { readonly id: number; readonly task: 'view'; readonly result: ViewResult };

export interface MediaWorkerData {
  readonly entry: string;
  readonly limits: ImageLimits;
}
