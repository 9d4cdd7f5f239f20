import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Router } from 'express';
import { checkWritablePath, writeFileAtomic } from '../../media/atomic-file.js';
import { byteLength, NAME_MAX_BYTES } from '../../media/path-limits.js';
import { checkFileName, resolveInside } from '../../media/safe-path.js';
import { parseWorkflowDocument } from '../../shared/workflow.js';
import { err, ok, type Result } from '../../shared/result.js';
import { sendFsError } from '../fs-errors.js';
import { parseJsonBody, sendError } from '../http-errors.js';
import type { ServerContext } from '../server-context.js';

/** A library name → its file: safe single names, stored as `<name>.json`, within the file system's length limits. */
export function workflowFile(folder: string, name: string): Result<string> {
  const checked = checkFileName(name);
  if (!checked.ok) return checked;
  if (name.startsWith('.')) return err('workflow names must not start with a dot');
  const fileName = name.toLowerCase().endsWith('.json') ? name : `${name}.json`;
  if (byteLength(fileName) > NAME_MAX_BYTES) {
    return err(
      `workflow name is ${byteLength(name)} bytes long in UTF-8; with ".json" it must fit in ${NAME_MAX_BYTES} bytes`,
    );
  }
  const resolved = resolveInside(folder, fileName);
  if (!resolved.ok) return resolved;
  const writable = checkWritablePath(dirname(resolved.value), basename(resolved.value));
  return writable.ok ? ok(resolved.value) : writable;
}

/** Inkgraph's library of saved workflows: files in a folder, written atomically. */
export function workflowRoutes(ctx: ServerContext): Router {
  const router = Router();
  const folder = ctx.options.workflowsDir;

  router.get('/workflows', (_req, res) => {
    if (!existsSync(folder)) return res.json([]);
    try {
      const entries = readdirSync(folder, { withFileTypes: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith('.json') && !entry.name.startsWith('.'))
        .map((entry) => {
          const stat = statSync(join(folder, entry.name));
          return { name: entry.name.slice(0, -'.json'.length), size: stat.size, modified: stat.mtimeMs };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
      res.json(entries);
    } catch (error) {
      sendFsError(res, error, 'folder', 'workflows');
    }
  });

  router.get('/workflows/:name', (req, res) => {
    const file = workflowFile(folder, req.params.name);
    if (!file.ok) return sendError(res, 400, 'invalid_name', file.reason);
    if (!existsSync(file.value)) return sendError(res, 404, 'not_found', `no saved workflow named ${req.params.name}`);
    try {
      res.type('application/json').send(readFileSync(file.value, 'utf8'));
    } catch (error) {
      sendFsError(res, error, 'name', req.params.name);
    }
  });

  router.put('/workflows/:name', (req, res) => {
    const file = workflowFile(folder, req.params.name);
    if (!file.ok) return sendError(res, 400, 'invalid_name', file.reason);
    const body = parseJsonBody(req.body);
    if (!body.ok) return sendError(res, 400, body.reason.type, body.reason.message);
    const document = parseWorkflowDocument(body.value);
    if (!document.ok) return sendError(res, 400, 'invalid_workflow', document.reason);
    const existed = existsSync(file.value);
    try {
      writeFileAtomic(file.value, `${JSON.stringify(body.value, null, 2)}\n`, { durable: true });
    } catch (error) {
      return sendFsError(res, error, 'name', req.params.name);
    }
    res.status(existed ? 200 : 201).json({ name: req.params.name.replace(/\.json$/i, '') });
  });

  router.delete('/workflows/:name', (req, res) => {
    const file = workflowFile(folder, req.params.name);
    if (!file.ok) return sendError(res, 400, 'invalid_name', file.reason);
    if (!existsSync(file.value)) return sendError(res, 404, 'not_found', `no saved workflow named ${req.params.name}`);
    try {
      rmSync(file.value);
    } catch (error) {
      return sendFsError(res, error, 'name', req.params.name);
    }
    res.status(204).end();
  });

  // The example workflows that ship in workflows/ (read-only).
  const examples = ctx.options.examplesDir;
  router.get('/examples', (_req, res) => {
    if (!existsSync(examples)) return res.json([]);
    res.json(
      readdirSync(examples)
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => ({ name: name.slice(0, -'.json'.length) })),
    );
  });

  router.get('/examples/:name', (req, res) => {
    const file = workflowFile(examples, req.params.name);
    if (!file.ok) return sendError(res, 400, 'invalid_name', file.reason);
    if (!existsSync(file.value)) return sendError(res, 404, 'not_found', `no example named ${req.params.name}`);
    try {
      res.type('application/json').send(readFileSync(file.value, 'utf8'));
    } catch (error) {
      sendFsError(res, error, 'name', req.params.name);
    }
  });

  return router;
}
