import { join, resolve } from 'node:path';
import type { StartServerOptions } from '../app.js';
import type { ExecutionProviderName } from '../../shared/execution-provider.js';
import type { SERVE_OPTIONS } from './commands.js';
import type { OptionValues } from './option-spec.js';

export type ServeValues = OptionValues<typeof SERVE_OPTIONS>;

/** `--execution-provider` (`executionProviderOption` in SERVE_OPTIONS); absent from the values, the default (cpu). */
type ProviderValue = { readonly 'execution-provider'?: ExecutionProviderName };

/** The server's options from `inkgraph serve`'s flags; what a flag leaves out, the server's default decides. */
export function serverOptionsFrom(values: ServeValues & ProviderValue): StartServerOptions {
  const dataDir = values.data ? resolve(values.data) : undefined;
  const workflowsDir = values.workflows ? resolve(values.workflows) : dataDir ? join(dataDir, 'workflows') : undefined;
  return {
    host: values.host,
    port: values.port,
    ...(values.models ? { modelsDir: resolve(values.models) } : {}),
    ...(values.output ? { outputDir: resolve(values.output) } : {}),
    ...(values.input ? { inputDir: resolve(values.input) } : {}),
    ...(workflowsDir ? { workflowsDir } : {}),
    ...(dataDir ? { dataDir } : {}),
    ...(values['auth-token'] ? { authToken: values['auth-token'] } : {}),
    ...(values['enable-cors-header'] !== undefined ? { corsOrigin: values['enable-cors-header'] } : {}),
    allowedHosts: values['allowed-hosts'],
    allowUnauthenticatedNetwork: values['allow-unauthenticated-network'],
    ...(values['max-memory'] !== undefined ? { maxMemoryBytes: values['max-memory'] } : {}),
    ...(values['cache-memory'] !== undefined ? { cacheMemoryBytes: values['cache-memory'] } : {}),
    ...(values['max-image-pixels'] !== undefined ? { maxImagePixels: values['max-image-pixels'] } : {}),
    previewMethod: values['preview-method'],
    previewEvery: values['preview-every'],
    outputCacheSize: values['cache-size'],
    maxModels: values['max-models'],
    ...(values.threads !== undefined ? { threads: values.threads } : {}),
    ...(values['execution-provider'] !== undefined ? { executionProvider: values['execution-provider'] } : {}),
    maxUploadBytes: values['max-upload-size'] * 1024 * 1024,
    ...(values.redis ? { redisUrl: values.redis } : {}),
    localWorkers: values['local-workers'],
  };
}
