/**
 * The import rules of ARCHITECTURE.md, checked by `npm run lint:deps` (part of `npm test`).
 * Each rule names a room and what it must not reach; a rule's comment is what CI prints when it is broken.
 */
// Packages (from node_modules, wherever it is) are never a layer violation.
const PACKAGES = ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'];
const NODE_FOLDERS =
  '^nodes/(loaders|conditioning|latent|sampling|model|model_merging|image|mask|vision|utils|experimental|testing)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycles make load order matter and layers meaningless: break the cycle by moving the shared type down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'shared-stands-alone',
      severity: 'error',
      comment:
        'shared/ runs in the browser and on the server: it imports only shared/ and npm packages, and no Node built-in.',
      from: { path: '^shared/' },
      to: { pathNot: ['^shared/'], dependencyTypesNot: ['core', ...PACKAGES] },
    },
    {
      name: 'shared-has-no-node-builtins',
      severity: 'error',
      comment: 'shared/ runs in the browser: no Node built-in modules.',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'client-sees-only-shared',
      severity: 'error',
      comment: 'The client talks to the server over HTTP and WebSocket only: it imports client/ and shared/.',
      from: { path: '^client/' },
      to: { pathNot: ['^client/', '^shared/'], dependencyTypesNot: PACKAGES },
    },
    {
      name: 'media-stands-on-shared',
      severity: 'error',
      comment:
        'media/ (codecs, image files, safe paths) is the floor both nodes/ and server/ stand on: it imports only media/ and shared/.',
      from: { path: '^media/' },
      to: { pathNot: ['^media/', '^shared/'], dependencyTypesNot: ['core', ...PACKAGES] },
    },
    {
      name: 'contract-is-types-and-rules',
      severity: 'error',
      comment: 'nodes/contract/ is what nodes and the engine agree on: it imports only itself, shared/ and media/.',
      from: { path: '^nodes/contract/' },
      to: { pathNot: ['^nodes/contract/', '^shared/', '^media/'], dependencyTypesNot: ['core', ...PACKAGES] },
    },
    {
      name: 'runtime-below-nodes',
      severity: 'error',
      comment:
        'nodes/runtime/ (ONNX, tokenizer, samplers, diffusion, vision) serves node files; it never imports them or the server.',
      from: { path: '^nodes/runtime/' },
      to: {
        pathNot: ['^nodes/runtime/', '^nodes/contract/', '^shared/', '^media/'],
        dependencyTypesNot: ['core', ...PACKAGES],
      },
    },
    {
      name: 'a-node-stands-alone',
      severity: 'error',
      comment:
        "A node file imports the contract, the runtime, media/, shared/ and helpers of its own folder, never another category's nodes or the server.",
      from: { path: NODE_FOLDERS + '.*' },
      to: {
        pathNot: ['^nodes/contract/', '^nodes/runtime/', '^shared/', '^media/', '^nodes/$1/'],
        dependencyTypesNot: ['core', ...PACKAGES],
      },
    },
    {
      name: 'test-nodes-only-through-the-registry',
      severity: 'error',
      comment:
        'nodes/testing/ holds test-only nodes: only nodes/index.ts (and tests) import them, registering them when INKGRAPH_TEST_GATES is set.',
      from: { pathNot: ['^nodes/index\\.ts$', '^nodes/testing/', '^tests/'] },
      to: { path: '^nodes/testing/' },
    },
    {
      name: 'nodes-never-import-the-server',
      severity: 'error',
      comment: 'The engine calls nodes through nodes/contract; nodes/ never imports server/.',
      from: { path: '^nodes/' },
      to: { path: '^server/' },
    },
    {
      name: 'main-thread-off-the-runtime',
      severity: 'error',
      comment:
        "Server main-thread code must not load the ML runtime or node files directly (that is the worker's job): use nodes/index.ts, nodes/object-info.ts, nodes/contract/ or media/. The CLI's model tools are the exception.",
      from: { path: '^server/', pathNot: ['^server/worker/', '^server/cli/(calibrate-memory|memory-probe)\\.ts$'] },
      to: { path: ['^nodes/runtime/', NODE_FOLDERS] },
    },
    {
      name: 'worker-loaded-by-url',
      severity: 'error',
      comment:
        'server/worker/ runs in the engine thread: the main thread starts it by URL (engine-host.ts) and never imports it.',
      from: { path: '^server/', pathNot: '^server/worker/' },
      to: { path: '^server/worker/' },
    },
    {
      name: 'worker-off-the-main-thread',
      severity: 'error',
      comment:
        "Worker code imports the prompt logic (server/prompt/) and the host's message types (server/engine/engine-events.ts), never main-thread modules.",
      from: { path: '^server/worker/' },
      to: { path: '^server/', pathNot: ['^server/worker/', '^server/prompt/', '^server/engine/engine-events\\.ts$'] },
    },
    {
      name: 'prompt-logic-is-pure',
      severity: 'error',
      comment:
        'server/prompt/ (validation, planning, signatures) is pure logic for either thread: it imports shared/, nodes/contract/ and itself.',
      from: { path: '^server/prompt/' },
      to: {
        pathNot: ['^server/prompt/', '^shared/', '^nodes/contract/'],
        dependencyTypesNot: ['core', ...PACKAGES],
      },
    },
    {
      name: 'tests-are-not-imported',
      severity: 'error',
      comment: 'Product code never imports tests/.',
      from: { pathNot: '^tests/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs'],
    },
    exclude: { path: ['^node_modules/', '^client/dist/'] },
  },
};
