import { err, ok, type Result } from '../../../shared/result.js';
import { fieldString, readFields, readInt64s, WireType, type WireField } from './protobuf-wire.js';

/**
 * An ONNX model's graph as far as weight patching needs it: the nodes (name, type, inputs, integer attributes) and
 * the initializers, each with where its values are (inside the model's bytes, or in an external data file).
 * Field numbers are onnx.proto's.
 */

const Model = { GRAPH: 7 } as const;
const Graph = { NODE: 1, INITIALIZER: 5 } as const;
const Node = { INPUT: 1, OUTPUT: 2, NAME: 3, OP_TYPE: 4, ATTRIBUTE: 5 } as const;
const Attribute = { NAME: 1, I: 3, INTS: 8 } as const;
const Tensor = {
  DIMS: 1,
  DATA_TYPE: 2,
  FLOAT_DATA: 4,
  INT32_DATA: 5,
  NAME: 8,
  RAW_DATA: 9,
  EXTERNAL_DATA: 13,
  DATA_LOCATION: 14,
} as const;
const Entry = { KEY: 1, VALUE: 2 } as const;

/** TensorProto.DataType codes of the float types weights come in. */
export const OnnxDataType = { FLOAT: 1, FLOAT16: 10, BFLOAT16: 16 } as const;

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** INT and INTS attributes (transB, perm, …); other kinds are not needed here. */
  readonly attributes: ReadonlyMap<string, number | readonly number[]>;
}

/** Where an initializer's values are. */
export type TensorData =
  /** `raw_data`: little-endian values, [begin, end) of the model's bytes. */
  | { readonly kind: 'raw'; readonly begin: number; readonly end: number }
  /** `float_data` (FLOAT) or `int32_data` (FLOAT16/BFLOAT16 bits, one per int32): the fields holding them. */
  | { readonly kind: 'typed'; readonly fields: readonly WireField[] }
  /** External data: a file beside the model (`location`), `length` bytes from `offset` (to the end when absent). */
  | { readonly kind: 'external'; readonly location: string; readonly offset: number; readonly length?: number };

export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly data: TensorData;
  /** The initializer's field in the graph message, [begin, end) of the model's bytes. */
  readonly field: WireField;
}

export interface OnnxGraph {
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxInitializer>;
  /** The model's `graph` field, to rewrite it. */
  readonly graphField: WireField;
  /** Every field of the graph, in order. */
  readonly graphFields: readonly WireField[];
}

function readNode(bytes: Uint8Array, field: WireField): Result<OnnxNode> {
  const fields = readFields(bytes, field.value, field.payloadEnd);
  if (!fields.ok) return fields;
  let name = '';
  let opType = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes = new Map<string, number | readonly number[]>();
  for (const part of fields.value) {
    if (part.wireType !== WireType.BYTES) continue;
    if (part.number === Node.NAME) name = fieldString(bytes, part);
    else if (part.number === Node.OP_TYPE) opType = fieldString(bytes, part);
    else if (part.number === Node.INPUT) inputs.push(fieldString(bytes, part));
    else if (part.number === Node.OUTPUT) outputs.push(fieldString(bytes, part));
    else if (part.number === Node.ATTRIBUTE) {
      const attribute = readFields(bytes, part.value, part.payloadEnd);
      if (!attribute.ok) return attribute;
      const nameField = attribute.value.find((a) => a.number === Attribute.NAME && a.wireType === WireType.BYTES);
      if (!nameField) continue;
      const single = attribute.value.find((a) => a.number === Attribute.I && a.wireType === WireType.VARINT);
      const ints = readInt64s(bytes, attribute.value, Attribute.INTS);
      if (!ints.ok) return ints;
      if (single) attributes.set(fieldString(bytes, nameField), single.value);
      else if (ints.value.length > 0) attributes.set(fieldString(bytes, nameField), ints.value);
    }
  }
  return ok({ name, opType, inputs, outputs, attributes });
}

function readInitializer(bytes: Uint8Array, field: WireField): Result<OnnxInitializer> {
  const fields = readFields(bytes, field.value, field.payloadEnd);
  if (!fields.ok) return fields;
  const dims = readInt64s(bytes, fields.value, Tensor.DIMS);
  if (!dims.ok) return dims;
  let name = '';
  let dataType = 0;
  let external = false;
  let raw: WireField | undefined;
  const typed: WireField[] = [];
  const entries = new Map<string, string>();
  for (const part of fields.value) {
    if (part.number === Tensor.NAME && part.wireType === WireType.BYTES) name = fieldString(bytes, part);
    else if (part.number === Tensor.DATA_TYPE && part.wireType === WireType.VARINT) dataType = part.value;
    else if (part.number === Tensor.RAW_DATA && part.wireType === WireType.BYTES) raw = part;
    else if (part.number === Tensor.FLOAT_DATA || part.number === Tensor.INT32_DATA) typed.push(part);
    else if (part.number === Tensor.DATA_LOCATION && part.wireType === WireType.VARINT) external = part.value === 1;
    else if (part.number === Tensor.EXTERNAL_DATA && part.wireType === WireType.BYTES) {
      const entry = readFields(bytes, part.value, part.payloadEnd);
      if (!entry.ok) return entry;
      const key = entry.value.find((e) => e.number === Entry.KEY);
      const value = entry.value.find((e) => e.number === Entry.VALUE);
      if (key && value) entries.set(fieldString(bytes, key), fieldString(bytes, value));
    }
  }
  let data: TensorData;
  if (external) {
    const location = entries.get('location');
    if (!location) return err(`initializer ${name} is external but names no location`);
    const offset = Number(entries.get('offset') ?? 0);
    const length = entries.has('length') ? Number(entries.get('length')) : undefined;
    if (!Number.isSafeInteger(offset) || offset < 0 || (length !== undefined && !Number.isSafeInteger(length)))
      return err(`initializer ${name} has external offset/length that are not whole numbers`);
    data = { kind: 'external', location, offset, ...(length !== undefined ? { length } : {}) };
  } else if (raw) data = { kind: 'raw', begin: raw.value, end: raw.payloadEnd };
  else data = { kind: 'typed', fields: typed };
  return ok({ name, dims: dims.value, dataType, data, field });
}

/** Reads an ONNX ModelProto's graph; an error (not a throw) when the bytes are not one. */
export function readOnnxGraph(bytes: Uint8Array): Result<OnnxGraph> {
  const model = readFields(bytes);
  if (!model.ok) return err(`not an ONNX model: ${model.reason}`);
  const graphField = model.value.find((field) => field.number === Model.GRAPH && field.wireType === WireType.BYTES);
  if (!graphField) return err('not an ONNX model: it has no graph');
  const graphFields = readFields(bytes, graphField.value, graphField.payloadEnd);
  if (!graphFields.ok) return err(`the model's graph is malformed: ${graphFields.reason}`);
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxInitializer>();
  for (const field of graphFields.value) {
    if (field.wireType !== WireType.BYTES) continue;
    if (field.number === Graph.NODE) {
      const node = readNode(bytes, field);
      if (!node.ok) return err(`a node of the graph is malformed: ${node.reason}`);
      nodes.push(node.value);
    } else if (field.number === Graph.INITIALIZER) {
      const initializer = readInitializer(bytes, field);
      if (!initializer.ok) return err(`an initializer of the graph is malformed: ${initializer.reason}`);
      initializers.set(initializer.value.name, initializer.value);
    }
  }
  return ok({ nodes, initializers, graphField, graphFields: graphFields.value });
}

export const TENSOR_FIELDS = Tensor;
export const GRAPH_FIELD = Model.GRAPH;
