import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { err, ok, type Result } from '../shared/result.js';
import { fromHalf } from './float16.js';

/**
 * The safetensors format (huggingface/safetensors): a little-endian u64 N, N bytes of UTF-8 JSON starting with `{`
 * (space-padded), then the tensors' bytes. The JSON maps each tensor name to its dtype, shape and
 * `data_offsets` [begin, end) into the bytes after the header, with an optional `__metadata__` of strings. Read as
 * the reference implementation validates it: offsets contiguous from 0 with no holes or overlaps, covering the whole
 * buffer, each tensor exactly its shape's size. Every failure is a Result naming the tensor, never a throw.
 */

export type SafetensorsDtype =
  | 'BOOL'
  | 'U8'
  | 'I8'
  | 'F8_E5M2'
  | 'F8_E4M3'
  | 'I16'
  | 'U16'
  | 'F16'
  | 'BF16'
  | 'I32'
  | 'U32'
  | 'F32'
  | 'F64'
  | 'I64'
  | 'U64';

const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

const isDtype = (value: unknown): value is SafetensorsDtype =>
  typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);

/** The reference implementation's limit on the header's size. */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

export interface SafetensorsTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Byte offsets into the file (header included), [begin, end). */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** In file order. */
  readonly tensors: readonly SafetensorsTensor[];
  readonly metadata: Readonly<Record<string, string>>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function readTensorEntry(name: string, value: unknown, dataStart: number): Result<SafetensorsTensor> {
  const where = `tensor ${JSON.stringify(name)}`;
  if (!isRecord(value)) return err(`${where} is not an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isDtype(dtype)) return err(`${where} has dtype ${JSON.stringify(dtype)}, not one safetensors defines`);
  if (!Array.isArray(shape) || !shape.every(isCount))
    return err(`${where} has shape ${JSON.stringify(shape)}: it must be a list of whole numbers ≥ 0`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount))
    return err(`${where} has data_offsets ${JSON.stringify(offsets)}: they must be [begin, end], whole numbers ≥ 0`);
  const [begin, end] = offsets as [number, number];
  if (end < begin) return err(`${where} ends (${end}) before it begins (${begin})`);
  const elements = shape.reduce((product: number, dim: number) => product * dim, 1);
  const bytes = elements * DTYPE_BYTES[dtype];
  if (!Number.isSafeInteger(bytes) || bytes !== end - begin)
    return err(
      `${where} is ${dtype} of shape [${shape.join(', ')}], ${bytes} bytes, but its data_offsets span ${end - begin}`,
    );
  return ok({ name, dtype, shape, begin: dataStart + begin, end: dataStart + end });
}

/**
 * The header of a safetensors file of `fileBytes` bytes, from the file's first bytes (`prefix`: at least the
 * 8-byte length and the header it announces; what follows is not read).
 */
export function parseSafetensorsHeader(prefix: Uint8Array, fileBytes: number): Result<SafetensorsHeader> {
  if (prefix.length < 8 || fileBytes < 8) return err('the file is shorter than a safetensors header (8 bytes)');
  const announced = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (announced > BigInt(MAX_SAFETENSORS_HEADER))
    return err(`the header says it is ${announced} bytes, over the ${MAX_SAFETENSORS_HEADER} safetensors allows`);
  const headerBytes = Number(announced);
  const dataStart = 8 + headerBytes;
  if (dataStart > fileBytes) return err(`the header says it is ${headerBytes} bytes, but the file is ${fileBytes}`);
  if (prefix.length < dataStart) return err(`the header is ${headerBytes} bytes, only ${prefix.length - 8} were read`);
  const header = prefix.subarray(8, dataStart);
  if (header[0] !== 0x7b) return err('the header does not start with "{"');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(header);
  } catch {
    return err('the header is not UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return err(`the header is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isRecord(parsed)) return err('the header is not a JSON object');

  let metadata: Record<string, string> = {};
  const tensors: SafetensorsTensor[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (!isRecord(value) || !Object.values(value).every((entry) => typeof entry === 'string'))
        return err('__metadata__ must be an object of strings');
      metadata = Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, String(entry)]));
      continue;
    }
    const tensor = readTensorEntry(name, value, dataStart);
    if (!tensor.ok) return tensor;
    tensors.push(tensor.value);
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = dataStart;
  for (const tensor of tensors) {
    if (tensor.begin !== expected)
      return err(
        tensor.begin > expected
          ? `tensor ${JSON.stringify(tensor.name)} begins at byte ${tensor.begin - dataStart}, leaving a hole after byte ${expected - dataStart}`
          : `tensor ${JSON.stringify(tensor.name)} overlaps the tensor before it (begins at byte ${tensor.begin - dataStart}, before ${expected - dataStart})`,
      );
    expected = tensor.end;
  }
  if (expected !== fileBytes)
    return err(
      `the tensors cover ${expected - dataStart} bytes, but the file holds ${fileBytes - dataStart} after its header`,
    );
  return ok({ tensors, metadata });
}

/** A tensor's values as float32: F32 as stored, F16 and BF16 widened exactly, F64 rounded to float32. */
export function tensorToFloat32(tensor: SafetensorsTensor, bytes: Uint8Array): Result<Float32Array> {
  const where = `tensor ${JSON.stringify(tensor.name)}`;
  if (bytes.length !== tensor.end - tensor.begin)
    return err(`${where}: ${bytes.length} bytes given, ${tensor.end - tensor.begin} needed`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.length / DTYPE_BYTES[tensor.dtype];
  const out = new Float32Array(count);
  if (tensor.dtype === 'F32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
    return ok(out);
  }
  if (tensor.dtype === 'F16') {
    for (let i = 0; i < count; i++) out[i] = fromHalf(view.getUint16(i * 2, true));
    return ok(out);
  }
  if (tensor.dtype === 'BF16') {
    // bfloat16 is the top half of a float32.
    const widened = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      widened.setUint32(0, view.getUint16(i * 2, true) << 16, true);
      out[i] = widened.getFloat32(0, true);
    }
    return ok(out);
  }
  if (tensor.dtype === 'F64') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
    return ok(out);
  }
  return err(`${where} is ${tensor.dtype}; only F32, F16, BF16 and F64 tensors are read as weights`);
}

/** A safetensors file opened for reading: its header, and each tensor's values read from disk when asked. */
export interface SafetensorsFile {
  readonly path: string;
  readonly header: SafetensorsHeader;
  /** The tensor's values as float32, read from the file now. */
  readFloat32(name: string): Result<Float32Array>;
}

/** `length` bytes of a file from `begin`, or why not (a short file, an unreadable one); never throws. */
export function readFileRange(path: string, begin: number, length: number): Result<Uint8Array> {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const read = readSync(fd, out, done, length - done, begin + done);
      if (read === 0) return err(`${path} ended at byte ${begin + done}, ${length - done} bytes short`);
      done += read;
    }
    return ok(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  } catch (error) {
    return err(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Opens a safetensors file: reads and checks its header only (never more than the header announces, if valid). */
export function openSafetensors(path: string): Result<SafetensorsFile> {
  let fileBytes: number;
  let prefix: Uint8Array;
  try {
    const fd = openSync(path, 'r');
    try {
      fileBytes = fstatSync(fd).size;
      const length = Buffer.alloc(8);
      const read = readSync(fd, length, 0, 8, 0);
      if (read < 8) return err(`${path}: the file is shorter than a safetensors header (8 bytes)`);
      const announced = length.readBigUInt64LE(0);
      // Read no more than the file holds and the format allows, whatever the length says.
      const headerBytes = Number(announced > BigInt(MAX_SAFETENSORS_HEADER) ? 0n : announced);
      const wanted = Math.min(8 + headerBytes, fileBytes);
      prefix = new Uint8Array(wanted);
      prefix.set(length);
      if (wanted > 8) readSync(fd, prefix, 8, wanted - 8, 8);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    return err(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const header = parseSafetensorsHeader(prefix, fileBytes);
  if (!header.ok) return err(`${path}: ${header.reason}`);
  const byName = new Map(header.value.tensors.map((tensor) => [tensor.name, tensor]));
  return ok({
    path,
    header: header.value,
    readFloat32: (name) => {
      const tensor = byName.get(name);
      if (!tensor) return err(`${path} has no tensor ${JSON.stringify(name)}`);
      const bytes = readFileRange(path, tensor.begin, tensor.end - tensor.begin);
      if (!bytes.ok) return bytes;
      const values = tensorToFloat32(tensor, bytes.value);
      return values.ok ? values : err(`${path}: ${values.reason}`);
    },
  });
}
