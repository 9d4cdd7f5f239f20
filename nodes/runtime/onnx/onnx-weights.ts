import { isAbsolute, join, normalize } from 'node:path';
import { float16ToFloat32, float32ToFloat16 } from '../../../media/float16.js';
import { readFileRange } from '../../../media/safetensors.js';
import { err, ok, type Result } from '../../../shared/result.js';
import { GRAPH_FIELD, OnnxDataType, TENSOR_FIELDS, type OnnxGraph, type OnnxInitializer } from './onnx-graph.js';
import { MessageWriter, readInt64s, WireType } from './protobuf-wire.js';

/** Reading an initializer's values as float32 and writing them back in the initializer's own type. */

const BYTES_PER_VALUE: Readonly<Record<number, number>> = {
  [OnnxDataType.FLOAT]: 4,
  [OnnxDataType.FLOAT16]: 2,
  [OnnxDataType.BFLOAT16]: 2,
};

export function isFloatWeight(initializer: OnnxInitializer): boolean {
  return initializer.dataType in BYTES_PER_VALUE;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

/** An external data file's path: beside the model, never outside its folder (as onnxruntime requires). */
export function externalPath(modelDir: string, location: string): Result<string> {
  const clean = normalize(location);
  if (isAbsolute(clean) || clean.split(/[\\/]/).includes('..'))
    return err(`external data location ${JSON.stringify(location)} is outside the model's folder`);
  return ok(join(modelDir, clean));
}

function decodeLittleEndian(dataType: number, bytes: Uint8Array, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (dataType === OnnxDataType.FLOAT) for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  else if (dataType === OnnxDataType.FLOAT16) {
    const bits = new Uint16Array(count);
    for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true);
    return float16ToFloat32(bits);
  } else {
    const wide = new DataView(out.buffer);
    for (let i = 0; i < count; i++) wide.setUint32(i * 4, view.getUint16(i * 2, true) << 16, true);
  }
  return out;
}

/** An initializer's values as float32; `modelDir` is where its external data file is. */
export function readInitializer(
  initializer: OnnxInitializer,
  bytes: Uint8Array,
  modelDir: string,
): Result<Float32Array> {
  const size = BYTES_PER_VALUE[initializer.dataType];
  if (size === undefined)
    return err(`initializer ${initializer.name} has data type ${initializer.dataType}, not a float`);
  const count = elementCount(initializer.dims);
  const data = initializer.data;
  if (data.kind === 'raw' || data.kind === 'external') {
    let raw: Uint8Array;
    if (data.kind === 'raw') raw = bytes.subarray(data.begin, data.end);
    else {
      const path = externalPath(modelDir, data.location);
      if (!path.ok) return err(`initializer ${initializer.name}: ${path.reason}`);
      const read = readFileRange(path.value, data.offset, count * size);
      if (!read.ok) return err(`initializer ${initializer.name}: ${read.reason}`);
      raw = read.value;
    }
    if (raw.length !== count * size)
      return err(`initializer ${initializer.name} holds ${raw.length} bytes for ${count} values of ${size} bytes`);
    return ok(decodeLittleEndian(initializer.dataType, raw, count));
  }
  // float_data is packed fixed32 (or one fixed32 field each); int32_data holds one 16-bit pattern per varint.
  const out = new Float32Array(count);
  let filled = 0;
  if (initializer.dataType === OnnxDataType.FLOAT) {
    for (const field of data.fields) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (field.wireType === WireType.BYTES)
        for (let at = field.value; at + 4 <= field.payloadEnd && filled < count; at += 4)
          out[filled++] = view.getFloat32(at, true);
      else if (field.wireType === WireType.FIXED32 && filled < count)
        out[filled++] = view.getFloat32(field.value, true);
    }
  } else {
    const patterns = readInt64s(bytes, data.fields, TENSOR_FIELDS.INT32_DATA);
    if (!patterns.ok) return err(`initializer ${initializer.name}: ${patterns.reason}`);
    const bits = new Uint16Array(patterns.value.slice(0, count));
    filled = patterns.value.length;
    if (initializer.dataType === OnnxDataType.FLOAT16) out.set(float16ToFloat32(bits));
    else out.set(new Float32Array(Uint32Array.from(bits, (pattern) => pattern << 16).buffer));
  }
  if (filled !== count) return err(`initializer ${initializer.name} holds ${filled} values for its ${count}`);
  return ok(out);
}

/** Float32 values as the little-endian bytes of `dataType`. */
export function encodeValues(dataType: number, values: Float32Array): Uint8Array {
  if (dataType === OnnxDataType.FLOAT16) {
    const bits = float32ToFloat16(values);
    return new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
  }
  if (dataType === OnnxDataType.BFLOAT16) {
    const wide = new Uint32Array(values.buffer, values.byteOffset, values.length);
    const out = new Uint16Array(values.length);
    // Round to nearest even, as torch does when it casts to bfloat16.
    for (let i = 0; i < values.length; i++) {
      const bits = wide[i]!;
      out[i] = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
    }
    return new Uint8Array(out.buffer);
  }
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

/** Where a rewritten initializer's values go. */
export type NewTensorData =
  | { readonly kind: 'raw'; readonly bytes: Uint8Array }
  | { readonly kind: 'external'; readonly location: string; readonly offset: number; readonly length: number };

/** A TensorProto for an initializer with new values (its name, dims and type kept). */
export function encodeInitializer(initializer: OnnxInitializer, data: NewTensorData): Uint8Array {
  const tensor = new MessageWriter();
  for (const dim of initializer.dims) tensor.varint(TENSOR_FIELDS.DIMS, dim);
  tensor.varint(TENSOR_FIELDS.DATA_TYPE, initializer.dataType).string(TENSOR_FIELDS.NAME, initializer.name);
  if (data.kind === 'raw') tensor.bytes(TENSOR_FIELDS.RAW_DATA, data.bytes);
  else {
    const entry = (key: string, value: string): Uint8Array =>
      new MessageWriter().string(1, key).string(2, value).finish();
    tensor.bytes(TENSOR_FIELDS.EXTERNAL_DATA, entry('location', data.location));
    tensor.bytes(TENSOR_FIELDS.EXTERNAL_DATA, entry('offset', String(data.offset)));
    tensor.bytes(TENSOR_FIELDS.EXTERNAL_DATA, entry('length', String(data.length)));
    tensor.varint(TENSOR_FIELDS.DATA_LOCATION, 1);
  }
  return tensor.finish();
}

const GRAPH_INITIALIZER = 5;

/**
 * The model's bytes with some initializers replaced (by name, each an encoded TensorProto); every other byte of
 * the model and its graph is kept as it was, in order.
 */
export function rewriteModel(
  bytes: Uint8Array,
  graph: OnnxGraph,
  replaced: ReadonlyMap<string, Uint8Array>,
): Uint8Array {
  const byField = new Map<number, Uint8Array>();
  for (const [name, tensor] of replaced) {
    const initializer = graph.initializers.get(name);
    if (initializer) byField.set(initializer.field.begin, tensor);
  }
  const graphWriter = new MessageWriter();
  for (const field of graph.graphFields) {
    const tensor = byField.get(field.begin);
    if (tensor) graphWriter.bytes(GRAPH_INITIALIZER, tensor);
    else graphWriter.raw(bytes.subarray(field.begin, field.end));
  }
  const model = new MessageWriter();
  model.raw(bytes.subarray(0, graph.graphField.begin));
  model.bytes(GRAPH_FIELD, graphWriter.finish());
  model.raw(bytes.subarray(graph.graphField.end));
  return model.finish();
}
