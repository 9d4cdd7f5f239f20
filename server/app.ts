import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { WebSocketServer } from 'ws';
import type { NodeEnvironment } from '../nodes/contract/node-context.js';
import { createRegistry } from '../nodes/index.js';
import { EngineHost } from './engine/engine-host.js';
import { MediaHost } from './media/media-host.js';
import type { ImageLimits } from '../media/image-limits.js';
import { describeSessionThreads, type ExecutionResult } from './engine/engine-events.js';
import { ExecutionService } from './execution-service.js';
import { LocalRunner, type JobRunner } from './job-runner.js';
import { ClusterRunner } from './cluster/cluster-runner.js';
import { localClusterWorker } from './cluster/local-worker.js';
import { reachRedis } from './cluster/redis-connection.js';
import { describeExecutionProviderStatus } from '../shared/execution-provider.js';
import { bodyReader } from './body-reader.js';
import { sendError } from './http-errors.js';
import { defaultServerOptions, engineSettings, type ServerOptions } from './options.js';
import { PromptQueue } from './prompt-queue.js';
import { broadcastQueueStatus } from './queue-status.js';
import { JobStore } from './store/job-store.js';
import { fileRoutes } from './routes/file-routes.js';
import { infoRoutes } from './routes/info-routes.js';
import { jobRoutes } from './routes/job-routes.js';
import { promptRoutes } from './routes/prompt-routes.js';
import { workflowRoutes } from './routes/workflow-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { admit, isLoopbackBind, securityMiddleware, type SecurityOptions } from './security.js';
import type { ServerContext } from './server-context.js';
import { WsHub } from './ws-hub.js';
import { landingPage } from './landing-page.js';
import { seedExampleInputs } from '../media/example-inputs.js';
import { removeStaleTemporaries } from '../media/atomic-file.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly context: ServerContext;
  /**
   * Stops taking prompts, lets the running job finish within `graceMs` (default 0) or puts it back in the queue,
   * then closes sockets, the engine and the job store. Everything accepted is on disk for the next start.
   */
  close(graceMs?: number): Promise<void>;
}

export interface StartServerOptions extends Partial<ServerOptions> {
  readonly onFinished?: (promptId: string, result: ExecutionResult) => void;
}

function prepareFolders(options: ServerOptions, imageLimits: ImageLimits): NodeEnvironment {
  for (const dir of [options.outputDir, options.inputDir, options.workflowsDir]) {
    mkdirSync(dir, { recursive: true });
    removeStaleTemporaries(dir);
  }
  seedExampleInputs(options.inputDir);
  // The temp folder holds PreviewImage files: emptied at start, as ComfyUI does.
  if (existsSync(options.tempDir)) rmSync(options.tempDir, { recursive: true, force: true });
  mkdirSync(options.tempDir, { recursive: true });
  return {
    inputDir: options.inputDir,
    outputDir: options.outputDir,
    tempDir: options.tempDir,
    modelsDir: options.modelsDir,
    imageLimits,
  };
}

/** Starts Inkgraph's server: the ComfyUI-compatible HTTP API, the WebSocket, the library and the editor. */
export async function startServer(overrides: StartServerOptions = {}): Promise<RunningServer> {
  const options = defaultServerOptions(overrides);
  const loopbackOnly = isLoopbackBind(options.host);
  if (!loopbackOnly && options.authToken === undefined && !options.allowUnauthenticatedNetwork) {
    throw new Error(
      `--host ${options.host} would let anyone on the network queue jobs and read every image: give --auth-token TOKEN ` +
        '(or INKGRAPH_AUTH_TOKEN), or --allow-unauthenticated-network to run it open on purpose',
    );
  }
  // The job store first: it is the data folder's lock, so a second server stops before touching any folder.
  const { store, restored } = JobStore.open(join(options.dataDir, 'inkgraph.sqlite'), { log: options.log });
  const imageLimits: ImageLimits = { maxPixels: options.maxImagePixels, maxTextBytes: options.maxImageTextBytes };
  const env = prepareFolders(options, imageLimits);
  const registry = createRegistry();
  const serverFlags = { supports_preview_metadata: true, max_upload_size: options.maxUploadBytes };
  const hub = new WsHub(serverFlags, options.log);
  for (const promptId of restored.unreadable)
    options.log(`job ${promptId} in the job store could not be read back; it was left there untouched`);
  const queue = new PromptQueue(store, restored);
  // Every client hears the queue's state after each change, before what the change's caller sends next.
  broadcastQueueStatus(queue, hub);
  const engine = new EngineHost({
    env,
    ...engineSettings(options),
    executionProvider: options.executionProvider,
    onExecutionProvider: (provider) => options.log(describeExecutionProviderStatus(provider)),
    onSessionThreads: (threads) => options.log(`onnxruntime: ${describeSessionThreads(threads, threads.path)}`),
  });
  const runner: JobRunner = options.redisUrl
    ? new ClusterRunner({ redisUrl: options.redisUrl, registry, env, log: options.log })
    : new LocalRunner(engine, () => engineProvider(engine));
  const localWorker =
    options.redisUrl && options.localWorkers > 0 ? localClusterWorker(options, options.redisUrl, env) : undefined;
  if (runner instanceof ClusterRunner) {
    try {
      await reachRedis(runner.start(), runner.url);
      await localWorker?.start();
    } catch (error) {
      await runner.close();
      await localWorker?.close();
      store.close();
      throw error;
    }
  }
  const execution = new ExecutionService(queue, runner, hub, {
    previewMethod: options.previewMethod,
    previewEvery: options.previewEvery,
    previewMaxLagMs: options.previewMaxLagMs,
    log: options.log,
    ...(overrides.onFinished ? { onFinished: overrides.onFinished } : {}),
  });
  const context: ServerContext = { options, env, registry, queue, engine, execution, runner, hub, serverFlags };

  let listeningPort = options.port;
  const security: SecurityOptions = {
    authToken: options.authToken,
    corsOrigin: options.corsOrigin,
    hosts: { loopbackOnly, allowedHosts: options.allowedHosts, port: () => listeningPort },
  };
  const app = express();
  app.disable('x-powered-by');
  app.use(securityMiddleware(security));
  // JSON is parsed by the routes whatever the Content-Type (the saintno SDK sends none).
  app.use(bodyReader(options.maxJsonBytes));

  const api = express.Router();
  api.use(promptRoutes(context));
  api.use(jobRoutes(context));
  api.use(infoRoutes(context));
  // Uploads and /view conversions are decoded in this worker (started on the first image), never on this thread.
  const media = new MediaHost(imageLimits);
  api.use(fileRoutes(context, media));
  api.use(workflowRoutes(context));
  api.use(userRoutes(context));
  app.use('/api', api);
  app.use('/', api);

  app.get('/manager/version', (_req, res) =>
    sendError(res, 404, 'not_found', 'ComfyUI-Manager is not part of Inkgraph'),
  );
  if (existsSync(join(options.clientDir, 'index.html'))) {
    app.use(express.static(options.clientDir, { index: 'index.html' }));
  } else {
    app.get('/', (_req, res) => res.type('html').send(landingPage()));
  }
  app.use((req, res) => sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status =
      typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
        ? error.status
        : 500;
    const message = error instanceof Error ? error.message : String(error);
    if (status >= 500) options.log(`internal error: ${error instanceof Error ? (error.stack ?? message) : message}`);
    sendError(
      res,
      status,
      status === 413 ? 'payload_too_large' : status >= 500 ? 'internal_error' : 'bad_request',
      message,
    );
  });

  const server: Server = createServer(app);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const refuse = (status: number, reason: string): void => {
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ error: { type: 'websocket_refused', message: reason } })}`,
      );
    };
    if (url.pathname !== '/ws' && url.pathname !== '/api/ws') return refuse(404, `no WebSocket at ${url.pathname}`);
    const admitted = admit(security, request);
    if (!admitted.ok) return refuse(admitted.reason.status, admitted.reason.message);
    wss.handleUpgrade(request, socket, head, (ws) => {
      hub.attach(ws, url.searchParams.get('clientId'), (clientId) => execution.greeting(clientId));
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (error) {
    await engine.close();
    await media.close();
    store.close();
    throw error;
  }
  execution.start();
  const port = (server.address() as AddressInfo).port;
  listeningPort = port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostForUrl}:${port}`;

  return {
    url,
    port,
    context,
    close: async (graceMs = 0) => {
      await execution.drain(graceMs);
      await runner.close();
      await localWorker?.close();
      hub.closeAll();
      wss.close();
      await engine.close();
      await media.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      store.close();
    },
  };
}

function engineProvider(engine: EngineHost): string {
  const provider = engine.executionProvider();
  return provider.active ?? provider.requested;
}
