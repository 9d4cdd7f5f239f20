import { freemem, totalmem } from 'node:os';
import { join } from 'node:path';
import { listFiles } from '../../media/image-files.js';
import { Router } from 'express';
import { buildObjectInfo, toNodeInfo } from '../../nodes/object-info.js';
import { sendFsError } from '../fs-errors.js';
import { sendError } from '../http-errors.js';
import { findModelFile, listModelFolder, modelFolderNames, modelFolderSource } from '../model-folders.js';
import { readSafetensorsMetadata } from '../model-metadata.js';
import type { ServerContext } from '../server-context.js';
import { INKGRAPH_VERSION } from '../version.js';
import { redactArgv } from '../security.js';
import { readVocabularies } from '../vocabularies.js';
import { readModelSizes } from '../model-sizes.js';

/** Discovery routes: node specs, system stats, features, and the probes real clients make. */
export function infoRoutes(ctx: ServerContext): Router {
  const router = Router();

  router.get('/object_info', (_req, res) => {
    res.json(buildObjectInfo(ctx.registry, ctx.env, ctx.runner.extraComboOptions()));
  });

  router.get('/vocabularies', (_req, res) => {
    res.json(readVocabularies(join(ctx.env.modelsDir, 'diffusion'), ctx.options.log));
  });

  router.get('/model-sizes', (_req, res) => {
    res.json(readModelSizes(join(ctx.env.modelsDir, 'diffusion')));
  });

  router.get('/object_info/:nodeClass', (req, res) => {
    const node = ctx.registry.get(req.params.nodeClass);
    res.json(node ? { [node.classType]: toNodeInfo(node, ctx.env, ctx.runner.extraComboOptions()) } : {});
  });

  router.get('/system_stats', async (_req, res) => {
    const workers = await ctx.runner.workers();
    const provider = ctx.engine.executionProvider();
    // The device the sessions run on: the execution provider's once one other than cpu is running.
    const device = provider.active !== null && provider.active !== 'cpu' ? provider.active : 'cpu';
    res.json({
      system: {
        os: process.platform === 'win32' ? 'nt' : 'posix',
        ram_total: totalmem(),
        ram_free: freemem(),
        comfyui_version: '0.3.64',
        inkgraph_version: INKGRAPH_VERSION,
        required_frontend_version: '',
        installed_templates_version: '',
        required_templates_version: '',
        python_version: `Node.js ${process.version}`,
        pytorch_version: 'onnxruntime-node',
        embedded_python: false,
        // The token passed as --auth-token never leaves the process.
        argv: redactArgv(process.argv),
      },
      devices: [
        {
          name: device,
          type: device,
          index: 0,
          vram_total: totalmem(),
          vram_free: freemem(),
          torch_vram_total: 0,
          torch_vram_free: 0,
        },
      ],
      // Who runs the jobs: this process (embedded), or the cluster's workers with their state and heartbeat.
      execution: { mode: ctx.runner.mode, workers },
      // onnxruntime's threads per session, as chosen when each loaded (timed per model, or --threads).
      threads: { override: ctx.options.threads ?? null, sessions: ctx.engine.threads() },
      // onnxruntime's execution provider: the one asked for, the one running (null before the first model loads),
      // and why it fell back to cpu when it could not start.
      execution_provider: provider,
      // Inkgraph's job store: disk full, damaged or read-only, history entries waiting for the disk, a salvage at start.
      store: ctx.queue.storeReport,
      // The server process's memory and its limits, for watching it under load.
      memory: {
        ...process.memoryUsage(),
        max_memory_per_job: ctx.options.maxMemoryBytes,
        cache_memory: ctx.options.cacheMemoryBytes,
      },
    });
  });

  router.get('/workers', async (_req, res) => {
    res.json({ mode: ctx.runner.mode, workers: await ctx.runner.workers() });
  });

  router.get('/features', (_req, res) => {
    res.json(ctx.serverFlags);
  });

  router.get('/embeddings', (_req, res) => {
    res.json(listFiles(join(ctx.env.modelsDir, 'embeddings')).map((name) => name.replace(/\.[^.]+$/, '')));
  });

  router.get('/extensions', (_req, res) => {
    res.json([]);
  });

  router.get('/models', (_req, res) => {
    res.json(modelFolderNames());
  });

  router.get('/models/:folder', (req, res) => {
    const folder = req.params.folder;
    const source = modelFolderSource(folder);
    if (!source) return sendError(res, 404, 'unknown_folder', `no model folder named ${folder}`);
    res.json(listModelFolder(source, ctx.registry, ctx.env));
  });

  // ComfyUI answers 404 for everything but a .safetensors file whose header has __metadata__ (Inkgraph's models are
  // ONNX, so nearly always): without a filename, for another extension, a missing file, or no metadata.
  router.get('/view_metadata/:folder', (req, res) => {
    const filename = typeof req.query.filename === 'string' ? req.query.filename : '';
    if (filename === '') return sendError(res, 404, 'not_found', 'filename is required');
    if (!filename.endsWith('.safetensors'))
      return sendError(res, 404, 'not_found', `filename: ${filename} is not a .safetensors file, it has no metadata`);
    const file = findModelFile(ctx.env.modelsDir, req.params.folder, filename);
    if (!file.ok) return sendError(res, 404, 'not_found', file.reason);
    let metadata;
    try {
      metadata = readSafetensorsMetadata(file.value);
    } catch (error) {
      return sendFsError(res, error, 'filename', filename);
    }
    if (!metadata.ok) return sendError(res, 404, 'not_found', `filename: ${filename}: ${metadata.reason}`);
    res.json(metadata.value);
  });

  router.get('/users', (_req, res) => {
    res.json({ storage: 'server', migrated: true });
  });

  router.get('/internal/logs', (_req, res) => {
    res.json('');
  });

  router.get('/internal/logs/raw', (_req, res) => {
    res.json({ entries: [], size: { cols: 80, rows: 24 } });
  });

  router.patch('/internal/logs/subscribe', (_req, res) => {
    res.status(200).json({});
  });

  return router;
}
