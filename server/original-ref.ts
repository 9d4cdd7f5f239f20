import { err, ok, type Result } from '../shared/result.js';

/** `/upload/mask`'s `original_ref`: the image whose alpha the mask replaces. */
export interface OriginalRef {
  /** Without its " [type]" annotation. */
  readonly filename: string;
  readonly subfolder: string;
  /** The folder: the annotation's, else the field's, else "output" (ComfyUI's default here, unlike uploads). */
  readonly type: string;
}

/** Reads the `original_ref` form field (JSON `{filename, subfolder?, type?}`); the reason names the field. */
export function parseOriginalRef(text: string | undefined): Result<OriginalRef> {
  if (text === undefined || text === '') return err('original_ref is required (JSON {filename, subfolder?, type?})');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return err('original_ref is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return err('original_ref must be a JSON object {filename, subfolder?, type?}');
  const field = (name: string): unknown => (Object.hasOwn(value, name) ? Reflect.get(value, name) : undefined);
  const filename = field('filename');
  if (typeof filename !== 'string' || filename === '') return err('original_ref.filename must be a non-empty string');
  const subfolder = field('subfolder') ?? '';
  if (typeof subfolder !== 'string') return err('original_ref.subfolder must be a string');
  const type = field('type') ?? 'output';
  if (typeof type !== 'string') return err('original_ref.type must be a string');
  const annotated = /^(.*) \[(output|input|temp)\]$/.exec(filename);
  if (annotated) return ok({ filename: annotated[1]!, subfolder, type: annotated[2]! });
  return ok({ filename, subfolder, type: type === '' ? 'output' : type });
}
