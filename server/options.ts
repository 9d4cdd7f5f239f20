import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreviewMethod } from '../nodes/define-node.js';

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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
  readonly maxUploadBytes: number;
  readonly maxJsonBytes: number;
  readonly previewMethod: PreviewMethod;
  readonly previewEvery: number;
  readonly outputCacheSize: number;
  readonly maxModels: number;
  readonly clientDir: string;
  readonly log: (line: string) => void;
}

export function defaultServerOptions(overrides: Partial<ServerOptions> = {}): ServerOptions {
  const cwd = process.cwd();
  return {
    host: '127.0.0.1',
    port: 8188,
    modelsDir: resolve(PACKAGE_ROOT, 'models'),
    outputDir: resolve(cwd, 'output'),
    inputDir: resolve(cwd, 'input'),
    tempDir: resolve(cwd, 'temp'),
    workflowsDir: resolve(cwd, 'data', 'workflows'),
    dataDir: resolve(cwd, 'data'),
    examplesDir: resolve(PACKAGE_ROOT, 'workflows'),
    authToken: process.env.INKGRAPH_AUTH_TOKEN || undefined,
    corsOrigin: undefined,
    maxUploadBytes: 100 * 1024 * 1024,
    maxJsonBytes: 32 * 1024 * 1024,
    previewMethod: 'latent2rgb',
    previewEvery: 5,
    outputCacheSize: 256,
    maxModels: 4,
    clientDir: resolve(PACKAGE_ROOT, 'client', 'dist'),
    log: (line) => console.log(line),
    ...overrides,
  };
}
