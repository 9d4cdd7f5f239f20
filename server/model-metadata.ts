import { closeSync, openSync, readSync } from 'node:fs';
import { err, ok, type Result } from '../shared/result.js';

/** ComfyUI reads at most this much safetensors header (`comfy.utils.safetensors_header(max_size=1024*1024)`). */
export const MAX_SAFETENSORS_HEADER_BYTES = 1024 * 1024;

/**
 * A safetensors header's `__metadata__` object, from the header's bytes (the JSON after the 8-byte length), or why
 * there is none: `/view_metadata` answers 404 for every reason, as ComfyUI does.
 */
export function parseSafetensorsMetadata(header: Uint8Array): Result<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(header.buffer, header.byteOffset, header.byteLength).toString('utf8'));
  } catch {
    return err('the safetensors header is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return err('the header is not an object');
  const metadata: unknown = Object.hasOwn(value, '__metadata__') ? Reflect.get(value, '__metadata__') : undefined;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    return err('the file has no __metadata__');
  return ok(Object.fromEntries(Object.entries(metadata)));
}

/** Reads only the header of a safetensors file (a little-endian u64 length, then that much JSON), never the tensors. */
export function readSafetensorsMetadata(path: string): Result<Record<string, unknown>> {
  const fd = openSync(path, 'r');
  try {
    const prefix = Buffer.alloc(8);
    if (readSync(fd, prefix, 0, 8, 0) !== 8) return err('the file is shorter than a safetensors header');
    const length = prefix.readBigUInt64LE(0);
    if (length > BigInt(MAX_SAFETENSORS_HEADER_BYTES))
      return err(`the header is over ${MAX_SAFETENSORS_HEADER_BYTES} bytes`);
    const header = Buffer.alloc(Number(length));
    const read = readSync(fd, header, 0, header.length, 8);
    return parseSafetensorsMetadata(header.subarray(0, read));
  } finally {
    closeSync(fd);
  }
}
