import type { Worker } from 'node:worker_threads';
import type { ImageLimits } from '../../media/image-limits.js';
import type { MediaRequest, MediaResponse, MediaWorkerData } from './media-protocol.js';
import type { UploadVerdict, ViewConversion, ViewResult } from './media-tasks.js';
import { startWorker } from '../thread-start.js';

type Pending =
  | {
      readonly task: 'check';
      readonly resolve: (result: UploadVerdict) => void;
      readonly reject: (error: Error) => void;
    }
  | {
      readonly task: 'view' | 'mask';
      readonly resolve: (result: ViewResult) => void;
      readonly reject: (error: Error) => void;
    };

/**
 * The server's media worker: started on the first image to decode, replaced if it dies (failing only the
 * requests it held), terminated by `close()`. Requests are answered in order, one image at a time.
 */
export class MediaHost {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly limits: ImageLimits) {}

  /** The full decode check of an upload. `bytes` is copied to the worker; the caller keeps its own. */
  checkUpload(bytes: Uint8Array, name: string): Promise<UploadVerdict> {
    return new Promise((resolve, reject) => {
      const id = this.register({ task: 'check', resolve, reject });
      const copy = bytes.slice();
      this.send({ id, task: 'check', bytes: copy, name }, [copy.buffer]);
    });
  }

  /** Converts a file (resolved inside its folder) for `/view`: the worker reads it, so big files never block here. */
  convertForView(path: string, name: string, conversion: ViewConversion): Promise<ViewResult> {
    return new Promise((resolve, reject) => {
      const id = this.register({ task: 'view', resolve, reject });
      this.send({ id, task: 'view', path, name, conversion }, []);
    });
  }

  /** `/upload/mask`: the original file (resolved inside its folder) with the mask's alpha, as PNG bytes. */
  mergeMask(originalPath: string, originalName: string, mask: Uint8Array, maskName: string): Promise<ViewResult> {
    return new Promise((resolve, reject) => {
      const id = this.register({ task: 'mask', resolve, reject });
      const copy = mask.slice();
      this.send({ id, task: 'mask', originalPath, originalName, mask: copy, maskName }, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the server is closing'));
    await worker?.terminate();
  }

  private register(entry: Pending): number {
    const id = this.nextId++;
    this.pending.set(id, entry);
    return id;
  }

  private send(request: MediaRequest, transfer: ArrayBuffer[]): void {
    if (this.closed) {
      this.pending.get(request.id)?.reject(new Error('the server is closing'));
      this.pending.delete(request.id);
      return;
    }
    this.ensureWorker().postMessage(request, transfer);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const workerData: MediaWorkerData = { limits: this.limits };
    const worker = startWorker('server/media/media-worker', workerData);
    worker.on('message', (response: MediaResponse) => this.onResponse(response));
    worker.on('error', (error) => this.onWorkerGone(worker, `the media worker failed: ${error.message}`));
    worker.on('exit', (code) => this.onWorkerGone(worker, `the media worker exited with code ${code}`));
    // An idle media worker must not keep the process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private onResponse(response: MediaResponse): void {
    const entry = this.pending.get(response.id);
    if (!entry) return;
    this.pending.delete(response.id);
    if (entry.task === 'check' && response.task === 'check') entry.resolve(response.result);
    else if (entry.task !== 'check' && response.task === entry.task) entry.resolve(response.result);
    else entry.reject(new Error(`the media worker answered a ${entry.task} request with a ${response.task} result`));
  }

  private onWorkerGone(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.failAll(new Error(reason));
  }

  private failAll(error: Error): void {
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }
}
