import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Router, type Response } from 'express';
import multer from 'multer';
import { writeFileAtomic } from '../../nodes/runtime/atomic-file.js';
import { checkFileName, resolveInside } from '../../nodes/runtime/safe-path.js';
import { decodeImage, encodeJpeg, encodePng, toRgba } from '../../nodes/runtime/png.js';
import { sendError } from '../http-errors.js';
import type { ServerContext } from '../server-context.js';

type FolderType = 'output' | 'input' | 'temp';

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

function folderFor(ctx: ServerContext, type: string): string | undefined {
  if (type === 'output') return ctx.env.outputDir;
  if (type === 'input') return ctx.env.inputDir;
  if (type === 'temp') return ctx.env.tempDir;
  return undefined;
}

/** ComfyUI's annotated names: "name.png [output]" selects the folder. */
function splitAnnotation(filename: string): { name: string; type?: FolderType } {
  const match = /^(.*) \[(output|input|temp)\]$/.exec(filename);
  return match ? { name: match[1]!, type: match[2] as FolderType } : { name: filename };
}

function sendImage(res: Response, bytes: Uint8Array, contentType: string, name: string): void {
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Disposition', `filename="${name.replace(/["\\\r\n]/g, '_')}"`);
  res.end(bytes);
}

/** `/view` and `/upload/image`: files never read or written outside their folders. */
export function fileRoutes(ctx: ServerContext): Router {
  const router = Router();
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: ctx.options.maxUploadBytes, files: 1 } });

  router.get('/view', (req, res) => {
    const rawName = typeof req.query.filename === 'string' ? req.query.filename : '';
    if (rawName === '') return sendError(res, 400, 'invalid_filename', 'filename is required');
    const annotated = splitAnnotation(rawName);
    const type = annotated.type ?? (typeof req.query.type === 'string' && req.query.type !== '' ? req.query.type : 'output');
    const base = folderFor(ctx, type);
    if (!base) return sendError(res, 400, 'invalid_type', `type must be output, input or temp, not ${JSON.stringify(type)}`);
    if (annotated.name.startsWith('/') || annotated.name.split('/').includes('..')) {
      return sendError(res, 400, 'invalid_filename', "filename must be relative and must not contain '..'");
    }
    const subfolder = typeof req.query.subfolder === 'string' ? req.query.subfolder : '';
    const folder = resolveInside(base, subfolder === '' ? '.' : subfolder);
    if (!folder.ok) return sendError(res, 403, 'forbidden_path', `subfolder: ${folder.reason}`);
    const file = resolveInside(folder.value, annotated.name);
    if (!file.ok) return sendError(res, 403, 'forbidden_path', `filename: ${file.reason}`);
    if (!existsSync(file.value) || !statSync(file.value).isFile()) return sendError(res, 404, 'not_found', `no file ${annotated.name} in ${type}${subfolder ? `/${subfolder}` : ''}`);

    const name = basename(file.value);
    const bytes = readFileSync(file.value);
    const extension = extname(name).toLowerCase();
    const channel = typeof req.query.channel === 'string' ? req.query.channel : 'rgba';
    const preview = typeof req.query.preview === 'string' ? req.query.preview : undefined;
    if (!['rgba', 'rgb', 'a'].includes(channel)) return sendError(res, 400, 'invalid_channel', 'channel must be rgba, rgb or a');
    if (preview === undefined && channel === 'rgba') {
      const contentType = CONTENT_TYPES[extension] ?? 'application/octet-stream';
      return sendImage(res, bytes, contentType, name);
    }
    const decoded = decodeImage(bytes);
    if (!decoded.ok) return sendError(res, 400, 'not_an_image', `${name}: ${decoded.reason}`);
    const raster = decoded.raster;
    if (preview !== undefined) {
      // "webp" or "jpeg", with an optional ";quality". Inkgraph encodes previews as JPEG.
      const [format, qualityText] = preview.split(';');
      if (format !== 'webp' && format !== 'jpeg') return sendError(res, 400, 'invalid_preview', 'preview must be webp or jpeg');
      const quality = Math.min(100, Math.max(1, Number.parseInt(qualityText ?? '90', 10) || 90));
      return sendImage(res, encodeJpeg(raster, quality), 'image/jpeg', name.replace(/\.[^.]+$/, '.jpg'));
    }
    const rgba = toRgba(raster);
    const pixels = raster.width * raster.height;
    if (channel === 'rgb') {
      const out = new Uint8Array(pixels * 3);
      for (let i = 0; i < pixels; i++) out.set(rgba.subarray(i * 4, i * 4 + 3), i * 3);
      return sendImage(res, encodePng({ width: raster.width, height: raster.height, channels: 3, data: out }, { compressionLevel: 1 }), 'image/png', name);
    }
    const out = new Uint8Array(pixels * 4);
    for (let i = 0; i < pixels; i++) {
      const alpha = rgba[i * 4 + 3]!;
      out[i * 4] = alpha;
      out[i * 4 + 1] = alpha;
      out[i * 4 + 2] = alpha;
      out[i * 4 + 3] = 255;
    }
    return sendImage(res, encodePng({ width: raster.width, height: raster.height, channels: 4, data: out }, { compressionLevel: 1 }), 'image/png', name);
  });

  router.post('/upload/image', (req, res) => {
    upload.single('image')(req, res, (error: unknown) => {
      if (error) {
        const message = error instanceof Error ? error.message : String(error);
        return sendError(res, error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE' ? 413 : 400, 'upload_failed', message);
      }
      const file = req.file;
      if (!file) return sendError(res, 400, 'no_image', 'the multipart field "image" with a file is required');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const type = typeof body.type === 'string' && body.type !== '' ? body.type : 'input';
      const base = folderFor(ctx, type);
      if (!base) return sendError(res, 400, 'invalid_type', `type must be input, temp or output, not ${JSON.stringify(type)}`);
      const subfolder = typeof body.subfolder === 'string' ? body.subfolder : '';
      const folder = resolveInside(base, subfolder === '' ? '.' : subfolder);
      if (!folder.ok) return sendError(res, 400, 'forbidden_path', `subfolder: ${folder.reason}`);
      const originalName = Buffer.from(file.originalname, 'latin1').toString('utf8');
      const name = checkFileName(originalName);
      if (!name.ok) return sendError(res, 400, 'invalid_filename', `filename: ${name.reason}`);
      if (!decodeImage(file.buffer).ok) return sendError(res, 400, 'not_an_image', `${name.value} is not a PNG or JPEG image`);
      const overwrite = body.overwrite === 'true' || body.overwrite === '1';
      let finalName = name.value;
      const target = (candidate: string): string => join(folder.value, candidate);
      if (!overwrite && existsSync(target(finalName))) {
        const hash = createHash('sha256').update(file.buffer).digest('hex');
        const sameAs = (candidate: string): boolean => createHash('sha256').update(readFileSync(target(candidate))).digest('hex') === hash;
        if (!sameAs(finalName)) {
          const extension = extname(finalName);
          const stem = finalName.slice(0, finalName.length - extension.length);
          let counter = 1;
          const existing = new Set(readdirSync(folder.value));
          while (existing.has(`${stem} (${counter})${extension}`) && !sameAs(`${stem} (${counter})${extension}`)) counter += 1;
          finalName = `${stem} (${counter})${extension}`;
        }
      }
      if (!existsSync(target(finalName)) || overwrite) writeFileAtomic(target(finalName), file.buffer);
      res.json({ name: finalName, subfolder, type });
    });
  });

  return router;
}
