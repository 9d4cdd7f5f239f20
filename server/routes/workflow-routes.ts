import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import { writeFileAtomic } from '../../nodes/runtime/atomic-file.js';
import { checkFileName, resolveInside } from '../../nodes/runtime/safe-path.js';
import { parseWorkflowDocument } from '../../shared/workflow.js';
import { err, ok, type Result } from '../../shared/result.js';
import { parseJsonBody, sendError } from '../http-errors.js';
import type { ServerContext } from '../server-context.js';

/** A library name → its file: safe single names, stored as `<name>.json`. */
export function workflowFile(folder: string, name: string): Result<string> {
  const checked = checkFileName(name);
  if (!checked.ok) return checked;
  if (name.startsWith('.')) return err('workflow names must not start with a dot');
  const fileName = name.toLowerCase().endsWith('.json') ? name : `${name}.json`;
  const resolved = resolveInside(folder, fileName);
  return resolved.ok ? ok(resolved.value) : resolved;
}

/** Inkgraph's library of saved workflows: files in a folder, written atomically. */
export function workflowRoutes(ctx: ServerContext): Router {
  const router = Router();
  const folder = ctx.options.workflowsDir;

  router.get('/workflows', (_req, res) => {
    if (!existsSync(folder)) return res.json([]);
    const entries = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json') && !entry.name.startsWith('.'))
      .map((entry) => {
        const stat = statSync(join(folder, entry.name));
        return { name: entry.name.slice(0, -'.json'.length), size: stat.size, modified: stat.mtimeMs };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    res.json(entries);
  });

  router.get('/workflows/:name', (req, res) => {
    const file = workflowFile(folder, req.params.name);
    if (!file.ok) return sendError(res, 400, 'invalid_name', file.reason);
    if (!existsSync(file.value)) return sendError(res, 404, 'not_found', `no saved workflow named ${req.params.name}`);
    res.type('application/json').send(readFileSync(file.value, 'utf8'));
  });

  router.put('/workflows/:name', (req, res) => {
    const file = workflowFile(folder, req.params.name);
    if (!file.ok) return sendError(res, 400, 'invalid_name', file.reason);
    const body = parseJsonBody(req.body);
    if (!body.ok) return sendError(res, 400, 'invalid_json', body.reason);
    const document = parseWorkflowDocument(body.value);
    if (!document.ok) return sendError(res, 400, 'invalid_workflow', document.reason);
    const existed = existsSync(file.value);
    writeFileAtomic(file.value, `${JSON.stringify(body.value, null, 2)}\n`, { durable: true });
    res.status(existed ? 200 : 201).json({ name: req.params.name.replace(/\.json$/i, '') });
  });

  router.delete('/workflows/:name', (req, res) => {
    const file = workflowFile(folder, req.params.name);
    if (!file.ok) return sendError(res, 400, 'invalid_name', file.reason);
    if (!existsSync(file.value)) return sendError(res, 404, 'not_found', `no saved workflow named ${req.params.name}`);
    rmSync(file.value);
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
    res.type('application/json').send(readFileSync(file.value, 'utf8'));
  });

  return router;
}
