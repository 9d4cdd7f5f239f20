import { previewMethods } from '../../nodes/contract/node-context.js';
import { defaultServerOptions } from '../options.js';
import { parseOverride } from './args.js';
import {
  choiceOption,
  executionProviderOption,
  integerOption,
  listOption,
  optionalValueOption,
  quantityOption,
  repeatedOption,
  switchOption,
  textOption,
  textWithDefault,
} from './option-spec.js';
import { parseByteSize, parsePixelCount } from './sizes.js';
import { err, ok } from '../../shared/result.js';
import { formatUsage, type CommandSpec } from './usage.js';

/** The command line's one table per command: what is parsed, and what `inkgraph help` prints, come from here. */

const DEFAULTS = defaultServerOptions();

const help = switchOption({ description: 'print this help' });

const folders = {
  models: textOption({
    placeholder: 'DIR',
    description: 'the models',
    defaultText: 'models/ where Inkgraph is installed',
  }),
  input: textOption({
    placeholder: 'DIR',
    description: 'images LoadImage reads and uploads go to',
    defaultText: './input',
  }),
};

const previews = {
  'preview-method': choiceOption({
    choices: previewMethods,
    fallback: DEFAULTS.previewMethod,
    description: 'how step previews are drawn',
  }),
  'preview-every': integerOption({
    placeholder: 'N',
    fallback: DEFAULTS.previewEvery,
    min: 1,
    description: 'a step preview every N steps',
  }),
  threads: quantityOption({
    placeholder: 'N',
    parse: (text) => {
      const value = Number(text);
      return Number.isInteger(value) && value >= 1
        ? ok(value)
        : err(`must be an integer ≥ 1, got ${JSON.stringify(text)}`);
    },
    description: "onnxruntime threads for every model (default: each model's fastest, timed when it loads)",
    defaultText: 'timed per model',
  }),
};

const redis = textOption({
  placeholder: 'URL',
  description: "redis://[:PASSWORD@]HOST:PORT — the cluster's Redis; INKGRAPH_REDIS_URL sets it too",
});

const maxMemory = quantityOption({
  placeholder: 'SIZE',
  parse: parseByteSize,
  description: 'a job estimated to need more is refused before it runs',
  defaultText: 'half the RAM',
});

export const SERVE_OPTIONS = {
  host: textWithDefault({
    placeholder: 'HOST',
    fallback: DEFAULTS.host,
    description: 'the address to listen on',
  }),
  port: integerOption({
    placeholder: 'N',
    fallback: DEFAULTS.port,
    min: 0,
    description: 'the port; 0 picks a free one',
  }),
  ...folders,
  output: textOption({ placeholder: 'DIR', description: 'where images are saved', defaultText: './output' }),
  data: textOption({
    placeholder: 'DIR',
    description: 'the queue, history and pause state (inkgraph.sqlite)',
    defaultText: './data',
  }),
  workflows: textOption({ placeholder: 'DIR', description: 'saved workflows', defaultText: 'DIR/workflows of --data' }),
  'auth-token': textOption({
    placeholder: 'TOKEN',
    description: 'required on every request; INKGRAPH_AUTH_TOKEN sets it too',
  }),
  'enable-cors-header': optionalValueOption({
    placeholder: 'ORIGIN',
    bareValue: '*',
    description: 'allow cross-origin requests from ORIGIN, or from any origin when given alone',
  }),
  'allowed-hosts': listOption({
    placeholder: 'HOST,…',
    description: 'Host names a request may use besides loopback ones (a reverse proxy)',
  }),
  'allow-unauthenticated-network': switchOption({ description: 'serve beyond loopback without --auth-token' }),
  ...previews,
  'cache-size': integerOption({
    placeholder: 'N',
    fallback: DEFAULTS.outputCacheSize,
    min: 0,
    description: 'node results the cache keeps between runs',
  }),
  'cache-memory': quantityOption({
    placeholder: 'SIZE',
    parse: parseByteSize,
    description: 'bytes of node results the cache may hold',
    defaultText: '1GiB',
  }),
  'max-models': integerOption({
    placeholder: 'N',
    fallback: DEFAULTS.maxModels,
    min: 1,
    description: 'models kept loaded',
  }),
  'max-upload-size': integerOption({
    placeholder: 'MB',
    fallback: DEFAULTS.maxUploadBytes / 1024 ** 2,
    min: 1,
    description: 'the largest upload, in MiB',
  }),
  'max-memory': maxMemory,
  'max-image-pixels': quantityOption({
    placeholder: 'N',
    parse: parsePixelCount,
    description: 'images with more pixels are refused from their header',
    defaultText: `${DEFAULTS.maxImagePixels / 1024 ** 2}M`,
  }),
  'shutdown-grace': integerOption({
    placeholder: 'SECONDS',
    fallback: 30,
    min: 0,
    description: 'on SIGTERM or SIGINT, the running job may finish for this long',
  }),
  'execution-provider': executionProviderOption(DEFAULTS.executionProvider),
  redis,
  'local-workers': integerOption({
    placeholder: 'N',
    fallback: 0,
    min: 0,
    description: 'with --redis, also run N jobs at a time in this process',
  }),
  help,
};

export const WORKER_OPTIONS = {
  redis,
  models: folders.models,
  data: textOption({
    placeholder: 'DIR',
    description: "this worker's own input, output and temp folders",
    defaultText: 'a folder under the system temp folder',
  }),
  concurrency: integerOption({
    placeholder: 'N',
    fallback: 1,
    min: 1,
    description: 'jobs run at once (one engine thread each)',
  }),
  id: textOption({ placeholder: 'NAME', description: 'its name in /api/workers', defaultText: 'HOST-PID' }),
  'execution-provider': executionProviderOption(DEFAULTS.executionProvider),
  'preview-max-lag': integerOption({
    placeholder: 'MS',
    fallback: DEFAULTS.previewMaxLagMs,
    min: 0,
    description: 'a step preview this late (the worker behind its engine) is skipped',
  }),
  threads: previews.threads,
  'cache-size': integerOption({
    placeholder: 'N',
    fallback: DEFAULTS.outputCacheSize,
    min: 0,
    description: 'node results the cache keeps between runs',
  }),
  'max-models': integerOption({
    placeholder: 'N',
    fallback: DEFAULTS.maxModels,
    min: 1,
    description: 'models kept loaded',
  }),
  'max-memory': maxMemory,
  help,
};

export const RUN_OPTIONS = {
  out: textOption({ placeholder: 'DIR', description: 'where images are saved', defaultText: './output' }),
  set: repeatedOption({
    placeholder: 'NODE_ID.INPUT=VALUE',
    parse: parseOverride,
    description: 'sets an input; VALUE is JSON when it parses as JSON, else a string',
  }),
  ...folders,
  ...previews,
  'max-memory': maxMemory,
  help,
};

export const CALIBRATE_OPTIONS = {
  'max-seconds': integerOption({
    placeholder: 'N',
    fallback: 3,
    min: 1,
    description: 'larger image sizes are tried until one run takes longer',
  }),
  help,
};

export const SERVE: CommandSpec<typeof SERVE_OPTIONS> = {
  name: 'serve',
  operands: [],
  summary: 'serves the editor and the ComfyUI-compatible API',
  options: SERVE_OPTIONS,
};

export const RUN: CommandSpec<typeof RUN_OPTIONS> = {
  name: 'run',
  operands: ['WORKFLOW.json'],
  missingOperand: 'run needs a workflow file',
  summary: 'runs a workflow (JSON, or a PNG it saved) headless and prints the files it wrote',
  options: RUN_OPTIONS,
};

export const VALIDATE: CommandSpec<typeof RUN_OPTIONS> = {
  name: 'validate',
  operands: ['WORKFLOW.json'],
  missingOperand: 'validate needs a workflow file',
  summary: 'checks a workflow as run does, without running it',
  options: RUN_OPTIONS,
  optionsOf: 'run',
};

export const CALIBRATE_MEMORY: CommandSpec<typeof CALIBRATE_OPTIONS> = {
  name: 'calibrate-memory',
  operands: ['PIPELINE_DIR'],
  missingOperand: 'calibrate-memory needs a pipeline folder',
  summary: "measures the pipeline's memory per image size into PIPELINE_DIR/memory-profile.json",
  options: CALIBRATE_OPTIONS,
};

export const WORKER: CommandSpec<typeof WORKER_OPTIONS> = {
  name: 'worker',
  operands: [],
  summary: "runs a cluster's jobs from Redis (with serve --redis as the coordinator)",
  options: WORKER_OPTIONS,
};

export const COMMANDS: readonly CommandSpec[] = [SERVE, WORKER, RUN, VALIDATE, CALIBRATE_MEMORY];

const NOTES = `The server binds to 127.0.0.1 unless --host says otherwise; bound to loopback it answers only requests whose Host
is a loopback name of its own (--allowed-hosts adds names, for a reverse proxy). Any other --host needs
--auth-token (or --allow-unauthenticated-network). SIZE is e.g. 8GiB, 512MiB or bytes.
Jobs live in the --data folder and survive restarts and crashes. On SIGTERM or SIGINT the server takes no new
prompts, lets the running job finish for up to --shutdown-grace seconds, else puts it back in the queue, and exits 0.
With --redis, serve is a cluster's coordinator: it queues jobs on Redis, and \`inkgraph worker --redis URL\` processes
(any number, on any machine that reaches Redis) run them; a worker listens on no port.`;

export const USAGE = formatUsage(
  'Inkgraph — node-based text-to-image workflows with a ComfyUI-compatible server.',
  COMMANDS,
  NOTES,
);
