/** Reads the text chunks (tEXt and uncompressed iTXt) of a PNG in the browser. Pure. */
export function readPngTextChunks(bytes: Uint8Array): Record<string, string> {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 8 || signature.some((byte, index) => bytes[index] !== byte)) return {};
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder();
  const text: Record<string, string> = {};
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = latin1.decode(bytes.subarray(offset + 4, offset + 8));
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    const nul = data.indexOf(0);
    if (nul > 0 && type === 'tEXt') text[latin1.decode(data.subarray(0, nul))] = latin1.decode(data.subarray(nul + 1));
    if (nul > 0 && type === 'iTXt' && data[nul + 1] === 0) {
      const language = data.indexOf(0, nul + 3);
      const translated = language < 0 ? -1 : data.indexOf(0, language + 1);
      if (translated >= 0) text[latin1.decode(data.subarray(0, nul))] = utf8.decode(data.subarray(translated + 1));
    }
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  return text;
}

/** The workflow a PNG carries: Inkgraph's own document, else ComfyUI's UI workflow, else its API prompt. */
export function workflowFromPngText(text: Record<string, string>): unknown {
  for (const key of ['inkgraph', 'workflow', 'prompt']) {
    const value = text[key];
    if (value === undefined) continue;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      // try the next chunk
    }
  }
  return undefined;
}
