/** One chunk of a PNG file: its four-letter type and its data (a view into the file's bytes, not a copy). */
export interface PngChunk {
  readonly type: string;
  readonly data: Uint8Array;
}

/** The chunks after the 8-byte signature, up to IEND or the first truncated one (CRCs are not checked). */
export function* pngChunks(bytes: Uint8Array): Generator<PngChunk> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!);
    const dataEnd = offset + 8 + length;
    if (dataEnd + 4 > bytes.length) return;
    yield { type, data: bytes.subarray(offset + 8, dataEnd) };
    if (type === 'IEND') return;
    offset = dataEnd + 4;
  }
}
