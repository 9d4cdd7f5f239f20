import { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { Router, type Request, type Response } from 'express';
import { checkWritablePath, writeFileAtomic } from '../../media/atomic-file.js';
import { err, ok, type Result } from '../../shared/result.js';
import { sendFsError } from '../fs-errors.js';
import { parseJsonBody, sendError } from '../http-errors.js';
import type { ServerContext } from '../server-context.js';
import {
  listUserData,
  SETTINGS_FILE,
  userDataContentType,
  userDataPath,
  userFileInfo,
  userRoot,
} from '../user-data.js';

/** A query flag as ComfyUI reads it: only "true" (any case) is on. */
function flag(value: unknown): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

/** `?overwrite=`: on unless it is exactly "false" (ComfyUI's default for writes and moves). */
function overwriteOf(req: Request): boolean {
  return req.query.overwrite !== 'false';
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Sets one setting as an own property: an id such as "__proto__" is a key like any other, never the prototype. */
function setSetting(settings: Record<string, unknown>, id: string, value: unknown): void {
  Object.defineProperty(settings, id, { value, enumerable: true, writable: true, configurable: true });
}

/** The path relative to the user's folder with '/', as the answers give it. */
function relativeName(root: string, path: string): string {
  return relative(root, path).split('\\').join('/');
}

/**
 * ComfyUI's user data (app/user_manager.py) and settings (app/app_settings.py) for its single user "default",
 * under `<dataDir>/user/default`: paths confined to that folder, every file written atomically.
 */
export function userRoutes(ctx: ServerContext): Router {
  const router = Router();
  const root = userRoot(ctx.options.dataDir);
  const settingsPath = join(root, SETTINGS_FILE);

  const readSettings = (): Result<Record<string, unknown>> => {
    if (!existsSync(settingsPath)) return ok({});
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(settingsPath, 'utf8'));
    } catch (error) {
      return err(`${SETTINGS_FILE} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return err(`${SETTINGS_FILE} does not hold a JSON object`);
    return ok(Object.fromEntries(Object.entries(value)));
  };
  const sendSettings = (res: Response, change: (settings: Record<string, unknown>) => void): void => {
    const settings = readSettings();
    if (!settings.ok) return sendError(res, 500, 'invalid_settings', settings.reason);
    change(settings.value);
    try {
      writeFileAtomic(settingsPath, JSON.stringify(settings.value, null, 4), { durable: true });
    } catch (error) {
      return sendFsError(res, error, 'settings', SETTINGS_FILE);
    }
    res.status(200).end();
  };

  router.get('/settings', (_req, res) => {
    const settings = readSettings();
    if (!settings.ok) return sendError(res, 500, 'invalid_settings', settings.reason);
    res.json(settings.value);
  });

  router.get('/settings/:id', (req, res) => {
    const settings = readSettings();
    if (!settings.ok) return sendError(res, 500, 'invalid_settings', settings.reason);
    const id = req.params.id;
    res.json(Object.hasOwn(settings.value, id) ? settings.value[id] : null);
  });

  router.post('/settings', (req, res) => {
    const body = parseJsonBody(req.body);
    if (!body.ok) return sendError(res, 400, body.reason.type, `body: ${body.reason.message}`);
    const update = body.value;
    if (typeof update !== 'object' || update === null || Array.isArray(update))
      return sendError(res, 400, 'invalid_settings', 'body must be a JSON object of setting ids and values');
    sendSettings(res, (settings) => {
      for (const [id, value] of Object.entries(update)) setSetting(settings, id, value);
    });
  });

  router.post('/settings/:id', (req, res) => {
    const body = parseJsonBody(req.body);
    if (!body.ok) return sendError(res, 400, body.reason.type, `body: ${body.reason.message}`);
    if (body.value === undefined) return sendError(res, 400, 'invalid_settings', 'body must be the JSON value to set');
    const value = body.value;
    sendSettings(res, (settings) => {
      setSetting(settings, req.params.id, value);
    });
  });

  router.get('/userdata', (req, res) => {
    const dir = typeof req.query.dir === 'string' ? req.query.dir : '';
    if (dir === '') return sendError(res, 400, 'invalid_path', 'dir is required');
    const folder = userDataPath(root, dir, 'dir', { folder: true });
    if (!folder.ok) return sendError(res, 403, 'forbidden_path', folder.reason);
    if (!existsSync(folder.value)) return sendError(res, 404, 'not_found', `dir: no folder ${dir}`);
    try {
      if (!statSync(folder.value).isDirectory()) return res.json([]);
      res.json(
        listUserData(folder.value, {
          recurse: flag(req.query.recurse),
          fullInfo: flag(req.query.full_info),
          split: flag(req.query.split),
        }),
      );
    } catch (error) {
      sendFsError(res, error, 'dir', dir);
    }
  });

  router.get('/userdata/:file', (req, res) => {
    const path = userDataPath(root, req.params.file, 'file');
    if (!path.ok) return sendError(res, 403, 'forbidden_path', path.reason);
    if (!isFile(path.value)) return sendError(res, 404, 'not_found', `file: no file ${req.params.file}`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path.value);
    } catch (error) {
      return sendFsError(res, error, 'file', req.params.file);
    }
    const { type, disposition } = userDataContentType(root, path.value);
    res.setHeader('Content-Type', type);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Disposition', disposition);
    res.end(bytes);
  });

  router.post('/userdata/:file', (req, res) => {
    const path = userDataPath(root, req.params.file, 'file');
    if (!path.ok) return sendError(res, 403, 'forbidden_path', path.reason);
    const writable = checkWritablePath(dirname(path.value), basename(path.value));
    if (!writable.ok) return sendError(res, 400, 'name_too_long', `file: ${writable.reason}`);
    if (!overwriteOf(req) && existsSync(path.value))
      return sendError(res, 409, 'already_exists', `file: ${req.params.file} already exists`);
    const body: unknown = req.body;
    const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    try {
      writeFileAtomic(path.value, bytes, { durable: true });
    } catch (error) {
      return sendFsError(res, error, 'file', req.params.file);
    }
    const name = relativeName(root, path.value);
    res.json(flag(req.query.full_info) ? userFileInfo(path.value, name) : name);
  });

  router.delete('/userdata/:file', (req, res) => {
    const path = userDataPath(root, req.params.file, 'file');
    if (!path.ok) return sendError(res, 403, 'forbidden_path', path.reason);
    if (!existsSync(path.value)) return sendError(res, 404, 'not_found', `file: no file ${req.params.file}`);
    try {
      unlinkSync(path.value);
    } catch (error) {
      return sendFsError(res, error, 'file', req.params.file);
    }
    res.status(204).end();
  });

  router.post('/userdata/:file/move/:dest', (req, res) => {
    const source = userDataPath(root, req.params.file, 'file');
    if (!source.ok) return sendError(res, 403, 'forbidden_path', source.reason);
    if (!existsSync(source.value)) return sendError(res, 404, 'not_found', `file: no file ${req.params.file}`);
    const dest = userDataPath(root, req.params.dest, 'dest');
    if (!dest.ok) return sendError(res, 403, 'forbidden_path', dest.reason);
    const writable = checkWritablePath(dirname(dest.value), basename(dest.value));
    if (!writable.ok) return sendError(res, 400, 'name_too_long', `dest: ${writable.reason}`);
    if (!overwriteOf(req) && existsSync(dest.value))
      return sendError(res, 409, 'already_exists', `dest: ${req.params.dest} already exists`);
    try {
      mkdirSync(dirname(dest.value), { recursive: true });
      renameSync(source.value, dest.value);
    } catch (error) {
      return sendFsError(res, error, 'dest', req.params.dest);
    }
    const name = relativeName(root, dest.value);
    res.json(flag(req.query.full_info) ? userFileInfo(dest.value, name) : name);
  });

  return router;
}
