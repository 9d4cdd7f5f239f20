import { statSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import { checkWritablePath } from '../../media/atomic-file.js';
import { checkPathLength, checkSegmentLengths } from '../../media/path-limits.js';
import { checkFileName, resolveInside } from '../../media/safe-path.js';
import { fsErrorCode, sendFsError } from '../fs-errors.js';
import { sendError } from '../http-errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { MediaHost } from '../media/media-host.js';
import { checkHeader, type MediaRefusal, type ViewConversion } from '../media/media-tasks.js';
import type { ServerContext } from '../server-context.js';
import { parseOriginalRef } from '../original-ref.js';
import { storeUpload } from '../upload-store.js';

type FolderType = 'output' | 'input' | 'temp';

/** What an upload route stores: the image as sent, or (`/upload/mask`) the original with the mask's alpha. */
type UploadKind = 'image' | 'mask';

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

/** Why `/view`'s query is refused: the error type of the 400 answer, and its message. */
interface ConversionError {
  readonly type: 'invalid_preview' | 'invalid_channel';
  readonly message: string;
}

/** `?channel=` and `?preview=`: how `/view` converts an image, nothing for the file as it is, or why not. */
function parseConversion(channel: unknown, preview: unknown): Result<ViewConversion | undefined, ConversionError> {
  if (typeof preview === 'string') {
    // "webp" or "jpeg", with an optional ";quality". Inkgraph encodes previews as JPEG.
    const [format, qualityText] = preview.split(';');
    if (format !== 'webp' && format !== 'jpeg')
      return err({ type: 'invalid_preview', message: 'preview must be webp or jpeg' });
    const quality = Math.min(100, Math.max(1, Number.parseInt(qualityText ?? '90', 10) || 90));
    return ok({ kind: 'preview', quality });
  }
  const wanted = typeof channel === 'string' ? channel : 'rgba';
  if (wanted === 'rgba') return ok(undefined);
  if (wanted === 'rgb' || wanted === 'a') return ok({ kind: 'channel', channel: wanted });
  return err({ type: 'invalid_channel', message: 'channel must be rgba, rgb or a' });
}

function sendRefusal(res: Response, refusal: MediaRefusal): void {
  sendError(res, refusal.status, refusal.type, refusal.message);
}

/** The media worker failed (it died, or the server is closing): the request is answered, the worker replaced. */
function sendMediaFailure(res: Response, error: unknown): void {
  sendError(
    res,
    503,
    'media_worker_failed',
    `the image could not be processed: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/** `/view` and `/upload/image`: files never read or written outside their folders; decoding runs in the media worker. */
export function fileRoutes(ctx: ServerContext, media: MediaHost): Router {
  const router = Router();
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: ctx.options.maxUploadBytes, files: 1 },
  });

  router.get('/view', async (req, res) => {
    const rawName = typeof req.query.filename === 'string' ? req.query.filename : '';
    if (rawName === '') return sendError(res, 400, 'invalid_filename', 'filename is required');
    const annotated = splitAnnotation(rawName);
    const type =
      annotated.type ?? (typeof req.query.type === 'string' && req.query.type !== '' ? req.query.type : 'output');
    const base = folderFor(ctx, type);
    if (!base)
      return sendError(res, 400, 'invalid_type', `type must be output, input or temp, not ${JSON.stringify(type)}`);
    if (annotated.name.startsWith('/') || annotated.name.split('/').includes('..')) {
      return sendError(res, 400, 'invalid_filename', "filename must be relative and must not contain '..'");
    }
    const conversion = parseConversion(req.query.channel, req.query.preview);
    if (!conversion.ok) return sendError(res, 400, conversion.reason.type, conversion.reason.message);
    const subfolder = typeof req.query.subfolder === 'string' ? req.query.subfolder : '';
    const folder = resolveInside(base, subfolder === '' ? '.' : subfolder);
    if (!folder.ok) return sendError(res, 403, 'forbidden_path', `subfolder: ${folder.reason}`);
    const file = resolveInside(folder.value, annotated.name);
    if (!file.ok) return sendError(res, 403, 'forbidden_path', `filename: ${file.reason}`);
    const missing = (): void =>
      sendError(res, 404, 'not_found', `no file ${annotated.name} in ${type}${subfolder ? `/${subfolder}` : ''}`);
    // A name too long for the disk cannot name a file there: a 404 like any other missing file.
    const length = checkPathLength(file.value);
    if (!length.ok) return missing();
    try {
      if (!statSync(file.value).isFile()) return missing();
    } catch (error) {
      const code = fsErrorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return missing();
      return sendFsError(res, error, 'filename', annotated.name);
    }

    const name = basename(file.value);
    if (conversion.value === undefined) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file.value);
      } catch (error) {
        return sendFsError(res, error, 'filename', annotated.name);
      }
      return sendImage(res, bytes, CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream', name);
    }
    try {
      const converted = await media.convertForView(file.value, name, conversion.value);
      if (!converted.ok) return sendRefusal(res, converted.reason);
      const shownName = conversion.value.kind === 'preview' ? name.replace(/\.[^.]+$/, '.jpg') : name;
      return sendImage(res, converted.value.bytes, converted.value.contentType, shownName);
    } catch (error) {
      return sendMediaFailure(res, error);
    }
  });

  // `/upload/mask` is an upload whose stored image is the original with the mask's alpha (ComfyUI's server.py).
  const receive = (kind: UploadKind) => (req: Request, res: Response) => {
    upload.single('image')(req, res, (error: unknown) => {
      if (error) {
        const message = messageOf(error);
        return sendError(
          res,
          error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE' ? 413 : 400,
          'upload_failed',
          message,
        );
      }
      // This callback runs outside Express's error handling: whatever happens is answered here, never thrown.
      receiveUpload(ctx, media, req, res, kind).catch((failure: unknown) => {
        ctx.options.log(
          `upload failed: ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}`,
        );
        if (!res.headersSent)
          sendError(
            res,
            500,
            'internal_error',
            `the upload failed: ${failure instanceof Error ? failure.message : String(failure)}`,
          );
      });
    });
  };
  router.post('/upload/image', receive('image'));
  router.post('/upload/mask', receive('mask'));

  return router;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A text field of the multipart form (multer puts them on `req.body`), or undefined. */
function formText(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value: unknown = Reflect.get(body, name);
  return typeof value === 'string' ? value : undefined;
}

/** Checks an upload's names and image (header here, the full decode in the media worker), then stores it. */
async function receiveUpload(
  ctx: ServerContext,
  media: MediaHost,
  req: Request,
  res: Response,
  kind: UploadKind,
): Promise<void> {
  const file = req.file;
  if (!file) return sendError(res, 400, 'no_image', 'the multipart field "image" with a file is required');
  const body: unknown = req.body;
  const typeField = formText(body, 'type');
  const type = typeField === undefined || typeField === '' ? 'input' : typeField;
  const base = folderFor(ctx, type);
  if (!base)
    return sendError(res, 400, 'invalid_type', `type must be input, temp or output, not ${JSON.stringify(type)}`);
  const subfolder = formText(body, 'subfolder') ?? '';
  const segments = checkSegmentLengths(subfolder, 'subfolder');
  if (!segments.ok) return sendError(res, 400, 'name_too_long', `subfolder: ${segments.reason}`);
  const folder = resolveInside(base, subfolder === '' ? '.' : subfolder);
  if (!folder.ok) return sendError(res, 400, 'forbidden_path', `subfolder: ${folder.reason}`);
  const name = checkFileName(Buffer.from(file.originalname, 'latin1').toString('utf8'));
  if (!name.ok) return sendError(res, 400, 'invalid_filename', `filename: ${name.reason}`);
  const writable = checkWritablePath(folder.value, name.value);
  if (!writable.ok) return sendError(res, 400, 'name_too_long', `subfolder and filename: ${writable.reason}`);

  // From the header, before anything is decoded or copied to the worker.
  const header = checkHeader(file.buffer, ctx.options.maxImagePixels, name.value);
  if (!header.ok) return sendRefusal(res, header.reason);
  let verdict;
  try {
    verdict = await media.checkUpload(file.buffer, name.value);
  } catch (error) {
    return sendMediaFailure(res, error);
  }
  if (!verdict.ok) return sendRefusal(res, verdict.reason);

  let bytes: Uint8Array = file.buffer;
  if (kind === 'mask') {
    const merged = await mergeWithOriginal(ctx, media, formText(body, 'original_ref'), file.buffer, name.value, res);
    if (merged === undefined) return;
    bytes = merged;
  }
  const overwrite = formText(body, 'overwrite') === 'true' || formText(body, 'overwrite') === '1';
  const stored = storeUpload(folder.value, name.value, bytes, overwrite);
  if (!stored.ok) {
    const { error, field } = stored.reason;
    return sendFsError(res, error, field, field === 'subfolder' ? subfolder : name.value);
  }
  res.json({ name: stored.value, subfolder, type });
}

/**
 * `/upload/mask`: finds `original_ref`'s image inside its folder (as `/view` does) and has the media worker put
 * the mask's alpha into it. Undefined when it has answered the request with a refusal.
 */
async function mergeWithOriginal(
  ctx: ServerContext,
  media: MediaHost,
  refText: string | undefined,
  mask: Uint8Array,
  maskName: string,
  res: Response,
): Promise<Uint8Array | undefined> {
  const ref = parseOriginalRef(refText);
  if (!ref.ok) return void sendError(res, 400, 'invalid_original_ref', ref.reason);
  const { filename, subfolder, type } = ref.value;
  const base = folderFor(ctx, type);
  if (!base)
    return void sendError(
      res,
      400,
      'invalid_original_ref',
      `original_ref.type must be output, input or temp, not ${JSON.stringify(type)}`,
    );
  const folder = resolveInside(base, subfolder === '' ? '.' : subfolder);
  if (!folder.ok) return void sendError(res, 403, 'forbidden_path', `original_ref.subfolder: ${folder.reason}`);
  const original = resolveInside(folder.value, filename);
  if (!original.ok) return void sendError(res, 400, 'forbidden_path', `original_ref.filename: ${original.reason}`);
  const missing = (): void =>
    sendError(
      res,
      404,
      'not_found',
      `original_ref.filename: no file ${filename} in ${type}${subfolder ? `/${subfolder}` : ''}`,
    );
  if (!checkPathLength(original.value).ok) return void missing();
  try {
    if (!statSync(original.value).isFile()) return void missing();
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return void missing();
    return void sendFsError(res, error, 'original_ref.filename', filename);
  }
  let merged;
  try {
    merged = await media.mergeMask(original.value, filename, mask, maskName);
  } catch (error) {
    return void sendMediaFailure(res, error);
  }
  if (!merged.ok) return void sendRefusal(res, merged.reason);
  return merged.value.bytes;
}
