/**
 * Writes safetensors bytes as huggingface/safetensors' `serialize` does: tensors laid out in order, the JSON header
 * padded with spaces to a multiple of 8 bytes, its length as a little-endian u64 first. `header` overrides or adds
 * header entries, to make malformed files from a well-formed layout.
 */
export interface TensorSpec {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

export function safetensorsBytes(
  tensors: Readonly<Record<string, TensorSpec>>,
  options: { metadata?: Record<string, unknown>; header?: Record<string, unknown>; trailing?: number } = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const [name, tensor] of Object.entries(tensors)) {
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + tensor.bytes.length] };
    offset += tensor.bytes.length;
    parts.push(tensor.bytes);
  }
  Object.assign(header, options.header ?? {});
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset + (options.trailing ?? 0));
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function float32Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
