import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import type { PreviewMethod } from '../nodes/contract/node-context.js';
import type { ExecutionProviderName } from '../shared/execution-provider.js';
import { PREVIEW_MAX_LAG_MS } from './preview-pacing.js';
import { DEFAULT_IMAGE_LIMITS } from '../media/image-limits.js';
import { PACKAGE_ROOT } from '../media/package-root.js';

export { PACKAGE_ROOT };

export interface ServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly modelsDir: string;
  readonly outputDir: string;
  readonly inputDir: string;
  readonly tempDir: string;
  readonly workflowsDir: string;
  /** Where the job database lives (`inkgraph.sqlite`: queue, history, pause state). */
  readonly dataDir: string;
  /** The example workflows that ship (read-only). */
  readonly examplesDir: string;
  readonly authToken: string | undefined;
  /** Origin allowed by CORS (turns the loopback origin check off), as ComfyUI's --enable-cors-header. */
  readonly corsOrigin: string | undefined;
  /** Host names (with or without a port) a request may name besides this server's loopback names: reverse proxies. */
  readonly allowedHosts: readonly string[];
  /** Lets a server bound beyond loopback run without an auth token (refused otherwise). */
  readonly allowUnauthenticatedNetwork: boolean;
  /** A job whose estimated peak memory is beyond this many bytes is refused before it runs. */
  readonly maxMemoryBytes: number;
  /** Bytes of node results the output cache may hold across runs. */
  readonly cacheMemoryBytes: number;
  /** Images (uploads, LoadImage) with more pixels than this are refused from their header, before decoding. */
  readonly maxImagePixels: number;
  /** A PNG's compressed text chunk may inflate to at most this many bytes (else it is skipped, or the upload refused). */
  readonly maxImageTextBytes: number;
  /** How long an interrupted job may take to stop before its engine worker is abandoned (ms). */
  readonly interruptGraceMs: number;
  /** How late a step preview may reach the main thread and still be sent; later ones are skipped. */
  readonly previewMaxLagMs: number;
  /** The most bytes one `GET /history` answer carries (always at least one entry); the rest is paged with offset. */
  readonly historyAnswerBytes: number;
  readonly maxUploadBytes: number;
  readonly maxJsonBytes: number;
  readonly previewMethod: PreviewMethod;
  readonly previewEvery: number;
  readonly outputCacheSize: number;
  readonly maxModels: number;
  /** `--threads N`: onnxruntime's intra-op threads for every session; absent, timed per model when it loads. */
  readonly threads?: number;
  /** `--execution-provider NAME`: what onnxruntime sessions ask for first; one that cannot start falls back to cpu. */
  readonly executionProvider: ExecutionProviderName;
  readonly clientDir: string;
  /** `--redis URL`: be a cluster's coordinator, queuing jobs on this Redis for workers (absent: run them here). */
  readonly redisUrl?: string;
  /** `--local-workers N`: with `redisUrl`, also run N jobs at a time in this process, as a worker of the cluster. */
  readonly localWorkers: number;
  readonly log: (line: string) => void;
}

const GIB = 1024 ** 3;

/** The default memory budget for one job: half the machine's RAM, which leaves the rest to the OS and the models. */
export function defaultMaxMemoryBytes(totalBytes = totalmem()): number {
  return Math.floor(totalBytes / 2);
}

export function defaultServerOptions(overrides: Partial<ServerOptions> = {}): ServerOptions {
  const cwd = process.cwd();
  const dataDir = overrides.dataDir ?? resolve(cwd, 'data');
  return {
    host: '127.0.0.1',
    port: 8188,
    modelsDir: resolve(PACKAGE_ROOT, 'models'),
    outputDir: resolve(cwd, 'output'),
    inputDir: resolve(cwd, 'input'),
    // Under the data folder, which the job store locks: two servers never share (and empty) one temp folder.
    tempDir: resolve(dataDir, 'temp'),
    workflowsDir: resolve(dataDir, 'workflows'),
    dataDir,
    examplesDir: resolve(PACKAGE_ROOT, 'workflows'),
    authToken: process.env.INKGRAPH_AUTH_TOKEN || undefined,
    corsOrigin: undefined,
    allowedHosts: [],
    allowUnauthenticatedNetwork: false,
    maxMemoryBytes: defaultMaxMemoryBytes(),
    cacheMemoryBytes: GIB,
    maxImagePixels: DEFAULT_IMAGE_LIMITS.maxPixels,
    maxImageTextBytes: DEFAULT_IMAGE_LIMITS.maxTextBytes,
    historyAnswerBytes: 16 * 1024 * 1024,
    interruptGraceMs: 1_000,
    previewMaxLagMs: PREVIEW_MAX_LAG_MS,
    maxUploadBytes: 100 * 1024 * 1024,
    maxJsonBytes: 32 * 1024 * 1024,
    previewMethod: 'auto',
    previewEvery: 5,
    outputCacheSize: 256,
    maxModels: 4,
    executionProvider: 'cpu',
    clientDir: resolve(PACKAGE_ROOT, 'client', 'dist'),
    ...(process.env.INKGRAPH_REDIS_URL ? { redisUrl: process.env.INKGRAPH_REDIS_URL } : {}),
    localWorkers: 0,
    log: (line) => console.log(line),
    ...overrides,
  };
}

/** The engine's settings a server's options give (for its own engine and for an in-process cluster worker's). */
export function engineSettings(options: ServerOptions): {
  outputCacheSize: number;
  cacheMemoryBytes: number;
  memoryBudgetBytes: number;
  maxModels: number;
  interruptGraceMs: number;
  threads?: number;
} {
  return {
    outputCacheSize: options.outputCacheSize,
    cacheMemoryBytes: options.cacheMemoryBytes,
    memoryBudgetBytes: options.maxMemoryBytes,
    maxModels: options.maxModels,
    interruptGraceMs: options.interruptGraceMs,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  };
}
