import { resolve } from 'node:path';
import type { PreviewMethod } from '../../nodes/contract/node-context.js';
import { createRegistry } from '../../nodes/index.js';
import { startServer } from '../app.js';
import { EngineHost } from '../engine/engine-host.js';
import { formatValidationErrors } from '../prompt/format-errors.js';
import { validatePrompt } from '../prompt/validate.js';
import { estimateJobMemory, memoryBudgetError } from '../prompt/memory-budget.js';
import { defaultServerOptions } from '../options.js';
import { parseArgs, lastFlag, parseOverride, type InputOverride, type ParsedArgs } from './args.js';
import { applyOverrides, loadWorkflowFile } from './load-workflow.js';
import { formatProgressLine } from './progress-bar.js';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { previewMethods } from '../execution-service.js';
import { closingSummary } from '../store/closing-summary.js';
import { seedExampleInputs } from '../../media/example-inputs.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import { compileWorkflow } from '../../shared/workflow-compile.js';
import { ownValue } from '../../shared/own-property.js';
import type { Result } from '../../shared/result.js';
import { parseByteSize, parsePixelCount } from './sizes.js';
import { calibrateMemory } from './calibrate-memory.js';
import { toLitegraph } from '../../shared/litegraph-export.js';

const USAGE = `Inkgraph — node-based text-to-image workflows with a ComfyUI-compatible server.

Usage:
  inkgraph serve [--host 127.0.0.1] [--port 8188] [--models DIR] [--output DIR] [--input DIR]
                 [--workflows DIR] [--auth-token TOKEN] [--enable-cors-header [ORIGIN]]
                 [--preview-method none|latent2rgb|vae] [--preview-every N]
                 [--cache-size N] [--max-models N] [--max-upload-size MB]
                 [--data DIR] [--shutdown-grace SECONDS] [--allowed-hosts HOST,…]
                 [--allow-unauthenticated-network] [--max-memory SIZE] [--cache-memory SIZE]
                 [--max-image-pixels N]
  inkgraph run WORKFLOW.json [--out DIR] [--set NODE_ID.INPUT=VALUE …] [--models DIR] [--input DIR]
                 [--preview-method …] [--max-memory SIZE]
  inkgraph validate WORKFLOW.json [--set NODE_ID.INPUT=VALUE …] [--models DIR] [--input DIR]
  inkgraph calibrate-memory PIPELINE_DIR [--max-seconds 3]
                 measures the pipeline's memory per image size into PIPELINE_DIR/memory-profile.json

The server binds to 127.0.0.1 unless --host says otherwise; bound to loopback it answers only requests whose Host
is a loopback name of its own (--allowed-hosts adds names, for a reverse proxy). Any other --host needs
--auth-token (or --allow-unauthenticated-network). INKGRAPH_AUTH_TOKEN sets --auth-token.
A job whose estimated peak memory exceeds --max-memory (default: half the RAM) is refused before it runs; the
output cache holds at most --cache-memory (default 1GiB) of results; images over --max-image-pixels (default 64M)
are refused. SIZE is e.g. 8GiB, 512MiB or bytes.
Queue, history and pause state live in DIR/inkgraph.sqlite (--data, default ./data; saved workflows default to
DIR/workflows): jobs survive restarts and crashes. On SIGTERM or SIGINT the server takes no new prompts, lets the
running job finish for up to --shutdown-grace seconds (default 30), else puts it back in the queue, and exits 0.`;

const SWITCHES = new Set(['help', 'enable-cors-header', 'allow-unauthenticated-network']);
const VALUED = new Set([
  'host',
  'port',
  'models',
  'output',
  'input',
  'workflows',
  'auth-token',
  'preview-method',
  'preview-every',
  'cache-size',
  'max-models',
  'max-upload-size',
  'out',
  'set',
  'data',
  'shutdown-grace',
  'allowed-hosts',
  'max-memory',
  'cache-memory',
  'max-image-pixels',
  'max-seconds',
]);

function sizeFlag(
  args: ParsedArgs,
  name: string,
  parse: (text: string) => Result<number>,
): number | undefined | string {
  const text = lastFlag(args, name);
  if (text === undefined) return undefined;
  const parsed = parse(text);
  return parsed.ok ? parsed.value : `--${name}: ${parsed.reason}`;
}

function positiveInt(args: ParsedArgs, name: string, fallback: number, min = 1): number | string {
  const text = lastFlag(args, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    return `--${name} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`;
  return value;
}

function previewMethodFlag(args: ParsedArgs): PreviewMethod | string {
  const value = lastFlag(args, 'preview-method') ?? 'latent2rgb';
  return (previewMethods as readonly string[]).includes(value)
    ? value
    : `--preview-method must be one of ${previewMethods.join(', ')}`;
}

function overridesFrom(args: ParsedArgs): InputOverride[] | string {
  const overrides: InputOverride[] = [];
  for (const text of args.flags.get('set') ?? []) {
    const parsed = parseOverride(text);
    if (!parsed.ok) return parsed.reason;
    overrides.push(parsed.value);
  }
  return overrides;
}

async function serve(args: ParsedArgs): Promise<number> {
  const port = positiveInt(args, 'port', 8188, 0);
  const previewEvery = positiveInt(args, 'preview-every', 5);
  const cacheSize = positiveInt(args, 'cache-size', 256, 0);
  const maxModels = positiveInt(args, 'max-models', 4);
  const maxUploadMb = positiveInt(args, 'max-upload-size', 100);
  const shutdownGrace = positiveInt(args, 'shutdown-grace', 30, 0);
  const previewMethod = previewMethodFlag(args);
  const maxMemory = sizeFlag(args, 'max-memory', parseByteSize);
  const cacheMemory = sizeFlag(args, 'cache-memory', parseByteSize);
  const maxImagePixels = sizeFlag(args, 'max-image-pixels', parsePixelCount);
  const problems = [
    port,
    previewEvery,
    cacheSize,
    maxModels,
    maxUploadMb,
    shutdownGrace,
    maxMemory,
    cacheMemory,
    maxImagePixels,
  ].filter((value): value is string => typeof value === 'string');
  if (!(previewMethods as readonly string[]).includes(previewMethod)) problems.push(previewMethod);
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem);
    return 2;
  }
  const corsFlag = lastFlag(args, 'enable-cors-header');
  const dataDir = lastFlag(args, 'data') ? resolve(lastFlag(args, 'data')!) : undefined;
  const workflowsDir = lastFlag(args, 'workflows')
    ? resolve(lastFlag(args, 'workflows')!)
    : dataDir
      ? join(dataDir, 'workflows')
      : undefined;
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      host: lastFlag(args, 'host') ?? '127.0.0.1',
      port: port as number,
      ...(lastFlag(args, 'models') ? { modelsDir: resolve(lastFlag(args, 'models')!) } : {}),
      ...(lastFlag(args, 'output') ? { outputDir: resolve(lastFlag(args, 'output')!) } : {}),
      ...(lastFlag(args, 'input') ? { inputDir: resolve(lastFlag(args, 'input')!) } : {}),
      ...(workflowsDir ? { workflowsDir } : {}),
      ...(dataDir ? { dataDir } : {}),
      ...(lastFlag(args, 'auth-token') ? { authToken: lastFlag(args, 'auth-token')! } : {}),
      ...(corsFlag !== undefined ? { corsOrigin: corsFlag === 'true' ? '*' : corsFlag } : {}),
      allowedHosts: (args.flags.get('allowed-hosts') ?? [])
        .flatMap((list) => list.split(','))
        .map((host) => host.trim())
        .filter((host) => host !== ''),
      allowUnauthenticatedNetwork: args.flags.has('allow-unauthenticated-network'),
      ...(typeof maxMemory === 'number' ? { maxMemoryBytes: maxMemory } : {}),
      ...(typeof cacheMemory === 'number' ? { cacheMemoryBytes: cacheMemory } : {}),
      ...(typeof maxImagePixels === 'number' ? { maxImagePixels } : {}),
      previewMethod: previewMethod as PreviewMethod,
      previewEvery: previewEvery as number,
      outputCacheSize: cacheSize as number,
      maxModels: maxModels as number,
      maxUploadBytes: (maxUploadMb as number) * 1024 * 1024,
    });
  } catch (error) {
    console.error(`inkgraph serve: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const restored = server.context.queue.remaining;
  console.log(
    `Inkgraph is serving on ${server.url}${server.context.options.authToken ? ' (token required)' : ''}${restored > 0 ? ` (${restored} job${restored === 1 ? '' : 's'} restored from the last run)` : ''}`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolveStop) => {
    process.once('SIGINT', () => resolveStop('SIGINT'));
    process.once('SIGTERM', () => resolveStop('SIGTERM'));
  });
  const graceSeconds = shutdownGrace as number;
  console.log(
    `${signal}: taking no new prompts; ${server.context.queue.current ? `letting the running job finish (up to ${graceSeconds} s)` : 'no job is running'}…`,
  );
  const forceStop = (): void => {
    console.log('second signal: stopping now; the running job stays queued and runs again on the next start');
    process.exit(130);
  };
  process.once('SIGINT', forceStop);
  process.once('SIGTERM', forceStop);
  await server.close(graceSeconds * 1000);
  console.log(closingSummary(server.context.queue.storeClosedWith));
  return 0;
}

async function runOrValidate(args: ParsedArgs, execute: boolean): Promise<number> {
  const file = args.positional[0];
  if (!file) {
    console.error(`${execute ? 'run' : 'validate'} needs a workflow file\n\n${USAGE}`);
    return 2;
  }
  const overrides = overridesFrom(args);
  if (typeof overrides === 'string') {
    console.error(overrides);
    return 2;
  }
  const registry = createRegistry();
  const defaults = defaultServerOptions();
  const tempDir = join(tmpdir(), `inkgraph-run-${randomUUID()}`);
  const env = {
    modelsDir: lastFlag(args, 'models') ? resolve(lastFlag(args, 'models')!) : defaults.modelsDir,
    inputDir: lastFlag(args, 'input') ? resolve(lastFlag(args, 'input')!) : defaults.inputDir,
    outputDir: lastFlag(args, 'out') ? resolve(lastFlag(args, 'out')!) : defaults.outputDir,
    tempDir,
  };
  seedExampleInputs(env.inputDir);
  const objectInfo = buildObjectInfo(registry, env);
  const loaded = loadWorkflowFile(file, objectInfo);
  if (!loaded.ok) {
    console.error(loaded.reason);
    return 1;
  }
  const workflow = applyOverrides(loaded.value, overrides);
  if (!workflow.ok) {
    console.error(workflow.reason);
    return 1;
  }
  const previewMethod = previewMethodFlag(args);
  if (!(previewMethods as readonly string[]).includes(previewMethod)) {
    console.error(previewMethod);
    return 2;
  }
  // Muted and bypassed nodes are resolved away as the editor does before queueing.
  const prompt = compileWorkflow(workflow.value, objectInfo);
  const validation = validatePrompt(prompt, registry, env);
  if (!validation.ok) {
    for (const line of formatValidationErrors(workflow.value.prompt, validation.error, validation.nodeErrors))
      console.error(line);
    return 1;
  }
  if (Object.keys(validation.nodeErrors).length > 0) {
    console.error('Some outputs failed validation and will not run:');
    for (const line of formatValidationErrors(
      workflow.value.prompt,
      { type: '', message: '', details: '', extra_info: {} },
      validation.nodeErrors,
    ).slice(1))
      console.error(line);
  }
  const maxMemory = sizeFlag(args, 'max-memory', parseByteSize);
  if (typeof maxMemory === 'string') {
    console.error(maxMemory);
    return 2;
  }
  const memoryBudgetBytes = maxMemory ?? defaults.maxMemoryBytes;
  const memory = estimateJobMemory(validation.prompt, validation.outputs, registry, { env, memoryBudgetBytes });
  if (memory.peakBytes > memoryBudgetBytes) {
    const refused = memoryBudgetError(memory, memoryBudgetBytes, validation.outputs);
    for (const line of formatValidationErrors(workflow.value.prompt, refused.error, refused.nodeErrors))
      console.error(line);
    return 1;
  }
  if (!execute) {
    console.log(
      `${file}: valid (${Object.keys(validation.prompt).length} nodes, outputs ${validation.outputs.map((id) => `#${id}`).join(', ')})`,
    );
    return 0;
  }

  mkdirSync(env.outputDir, { recursive: true });
  mkdirSync(tempDir, { recursive: true });
  const engine = new EngineHost({
    env,
    outputCacheSize: 64,
    cacheMemoryBytes: defaults.cacheMemoryBytes,
    memoryBudgetBytes,
    maxModels: 4,
  });
  const startedAt = performance.now();
  const interactive = process.stderr.isTTY === true;
  let lastLineAt = 0;
  const stop = (): void => engine.interrupt();
  process.once('SIGINT', stop);
  try {
    const result = await engine.execute(
      {
        promptId: randomUUID(),
        prompt: validation.prompt,
        outputs: validation.outputs,
        extraPngInfo: { inkgraph: workflow.value, workflow: toLitegraph(workflow.value, objectInfo) },
        previewMethod: previewMethod as PreviewMethod,
        previewEvery: positiveInt(args, 'preview-every', 5) as number,
      },
      (event) => {
        if (event.type === 'progress' || event.type === 'node_start') {
          const node = ownValue(validation.prompt, event.node)!;
          const label = `#${event.node} ${node._meta?.title ?? node.class_type}`;
          const line =
            event.type === 'progress'
              ? formatProgressLine({
                  value: event.value,
                  max: event.max,
                  label,
                  elapsedMs: performance.now() - startedAt,
                })
              : `▶ ${label}`;
          const now = performance.now();
          if (interactive) process.stderr.write(`\r\x1b[2K${line}`);
          else if (
            event.type === 'node_start' ||
            now - lastLineAt > 1000 ||
            (event.type === 'progress' && event.value === event.max)
          ) {
            process.stderr.write(`${line}\n`);
            lastLineAt = now;
          }
        }
      },
    );
    if (interactive) process.stderr.write('\r\x1b[2K');
    if (result.status !== 'success') {
      if (result.status === 'interrupted') console.error(`Interrupted at #${result.interruptedAt?.node ?? '?'}`);
      else {
        const failure = result.failure!;
        const node = ownValue(validation.prompt, failure.node);
        console.error(
          `Error in #${failure.node} ${failure.nodeType}${node?._meta?.title ? ` (${node._meta.title})` : ''}: ${failure.message}`,
        );
      }
      return 1;
    }
    for (const ui of Object.values(result.outputs)) {
      for (const image of ui.images ?? []) {
        if (image.type === 'output') console.log(join(env.outputDir, image.subfolder, image.filename));
      }
    }
    console.error(
      `Done in ${((performance.now() - startedAt) / 1000).toFixed(2)}s (${result.executed.length} nodes run)`,
    );
    return 0;
  } finally {
    process.off('SIGINT', stop);
    await engine.close();
    rmSync(tempDir, { recursive: true, force: true });
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const parsed = parseArgs(rest, SWITCHES, VALUED);
  if (!parsed.ok) {
    console.error(`${parsed.reason}\n\n${USAGE}`);
    return 2;
  }
  if (command === undefined || command === 'help' || command === '--help' || parsed.value.flags.has('help')) {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  switch (command) {
    case 'serve':
      return serve(parsed.value);
    case 'run':
      return runOrValidate(parsed.value, true);
    case 'validate':
      return runOrValidate(parsed.value, false);
    case 'calibrate-memory': {
      const dir = parsed.value.positional[0];
      const maxSeconds = positiveInt(parsed.value, 'max-seconds', 3);
      if (!dir || typeof maxSeconds === 'string') {
        console.error(
          `${typeof maxSeconds === 'string' ? maxSeconds : 'calibrate-memory needs a pipeline folder'}\n\n${USAGE}`,
        );
        return 2;
      }
      return calibrateMemory(dir, { maxSeconds, maxBytes: 4 * 1024 ** 3, log: (line) => console.log(line) });
    }
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}
