import type { NodeEnvironment } from '../nodes/contract/node-context.js';
import type { NodeRegistry } from '../nodes/contract/node-definition.js';
import type { EngineHost } from './engine/engine-host.js';
import type { ExecutionService } from './execution-service.js';
import type { JobRunner } from './job-runner.js';
import type { ServerOptions } from './options.js';
import type { PromptQueue } from './prompt-queue.js';
import type { WsHub } from './ws-hub.js';

/** What the routes share. */
export interface ServerContext {
  readonly options: ServerOptions;
  readonly env: NodeEnvironment;
  readonly registry: NodeRegistry;
  readonly queue: PromptQueue;
  readonly engine: EngineHost;
  readonly execution: ExecutionService;
  /** Where jobs run: this process's engine, or a cluster's workers. */
  readonly runner: JobRunner;
  readonly hub: WsHub;
  readonly serverFlags: Record<string, unknown>;
}
