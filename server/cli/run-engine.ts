import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NodeEnvironment } from '../../nodes/contract/node-context.js';
import { EngineHost } from '../engine/engine-host.js';
import { defaultServerOptions } from '../options.js';
import type { RUN_OPTIONS } from './commands.js';
import type { OptionValues } from './option-spec.js';

type RunValues = OptionValues<typeof RUN_OPTIONS>;

/** The engine `inkgraph run` executes on, started before the workflow is read, and what it was started with. */
export interface RunEngine {
  readonly engine: EngineHost;
  readonly env: NodeEnvironment;
  /** A folder of its own for this run's temporary files, removed when it ends. */
  readonly tempDir: string;
  readonly memoryBudgetBytes: number;
  close(): Promise<void>;
}

/** The folders a run reads and writes: the flags', else the server's defaults. */
export function runEnvironment(values: RunValues): { env: NodeEnvironment; tempDir: string } {
  const defaults = defaultServerOptions();
  const tempDir = join(tmpdir(), `inkgraph-run-${randomUUID()}`);
  return {
    env: {
      modelsDir: values.models ? resolve(values.models) : defaults.modelsDir,
      inputDir: values.input ? resolve(values.input) : defaults.inputDir,
      outputDir: values.out ? resolve(values.out) : defaults.outputDir,
      tempDir,
    },
    tempDir,
  };
}

export function runMemoryBudget(values: RunValues): number {
  return values['max-memory'] ?? defaultServerOptions().maxMemoryBytes;
}

/**
 * Starts the engine's worker thread at once: it loads its modules on the other core while this thread loads the
 * node registry and validates the workflow, which is most of what `inkgraph run` does before the work starts.
 */
export function startRunEngine(values: RunValues): RunEngine {
  const { env, tempDir } = runEnvironment(values);
  const memoryBudgetBytes = runMemoryBudget(values);
  const engine = new EngineHost({
    env,
    outputCacheSize: 64,
    cacheMemoryBytes: defaultServerOptions().cacheMemoryBytes,
    memoryBudgetBytes,
    maxModels: 4,
    ...(values.threads !== undefined ? { threads: values.threads } : {}),
  });
  engine.start();
  return { engine, env, tempDir, memoryBudgetBytes, close: () => engine.close() };
}
