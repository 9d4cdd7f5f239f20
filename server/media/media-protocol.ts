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
    }
  | {
      readonly id: number;
      readonly task: 'mask';
      readonly originalPath: string;
      readonly originalName: string;
      readonly mask: Uint8Array;
      readonly maskName: string;
    };

export type MediaResponse =
  | { readonly id: number; readonly task: 'check'; readonly result: UploadVerdict }
  | { readonly id: number; readonly task: 'view' | 'mask'; readonly result: ViewResult };

export interface MediaWorkerData {
  readonly limits: ImageLimits;
}

/** The worker's `workerData`, checked: what `media-host.ts` passed, or a thread started by something else. */
export function readMediaWorkerData(value: unknown): MediaWorkerData {
  if (typeof value === 'object' && value !== null && 'limits' in value) {
    const { limits } = value;
    if (
      typeof limits === 'object' &&
      limits !== null &&
      'maxPixels' in limits &&
      'maxTextBytes' in limits &&
      typeof limits.maxPixels === 'number' &&
      typeof limits.maxTextBytes === 'number'
    )
      return { limits: { maxPixels: limits.maxPixels, maxTextBytes: limits.maxTextBytes } };
  }
  throw new Error('the media worker was started without its limits');
}
