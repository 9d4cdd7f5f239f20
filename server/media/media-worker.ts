import { parentPort, workerData } from 'node:worker_threads';
import { readMediaWorkerData, type MediaRequest, type MediaResponse } from './media-protocol.js';
import { checkUpload, convertForView, refusal, type MediaRefusal } from './media-tasks.js';
import { mergeMaskAlpha } from './mask-merge.js';
import type { Err } from '../../shared/result.js';

/** The media worker: decodes uploads and converts `/view` images one at a time, off the server's event loop. */

const data = readMediaWorkerData(workerData);
const port = parentPort;
if (!port) throw new Error('the media worker must run in a worker thread');

/** A task that throws (an allocation the machine refuses, say) fails alone, not the worker and its queue. */
function failure(error: unknown): Err<MediaRefusal> {
  return refusal(
    500,
    'image_processing_failed',
    `the image could not be processed: ${error instanceof Error ? error.message : String(error)}`,
  );
}

function answer(request: MediaRequest): MediaResponse {
  if (request.task === 'check') {
    try {
      return { id: request.id, task: 'check', result: checkUpload(request.bytes, data.limits, request.name) };
    } catch (error) {
      return { id: request.id, task: 'check', result: failure(error) };
    }
  }
  if (request.task === 'mask') {
    try {
      const { originalPath, originalName, mask, maskName } = request;
      return {
        id: request.id,
        task: 'mask',
        result: mergeMaskAlpha(originalPath, originalName, mask, maskName, data.limits),
      };
    } catch (error) {
      return { id: request.id, task: 'mask', result: failure(error) };
    }
  }
  try {
    return {
      id: request.id,
      task: 'view',
      result: convertForView(request.path, request.name, request.conversion, data.limits),
    };
  } catch (error) {
    return { id: request.id, task: 'view', result: failure(error) };
  }
}

/** A converted image that owns its whole buffer is handed over, not copied (a pooled small Buffer must not be). */
function transferable(response: MediaResponse): ArrayBuffer[] {
  if (response.task === 'check' || !response.result.ok) return [];
  const bytes = response.result.value.bytes;
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? [bytes.buffer]
    : [];
}

port.on('message', (request: MediaRequest) => {
  const response = answer(request);
  port.postMessage(response, transferable(response));
});
