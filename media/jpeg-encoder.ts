import type { RasterU8 } from './raster.js';

/**
 * A baseline JPEG encoder (JFIF, 4:4:4, standard Huffman tables) whose tables are built once, so a small
 * step preview costs microseconds rather than the milliseconds a per-call table build costs. Pure.
 */

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
];

const LUMINANCE_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
  87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMINANCE_QUANT = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99,
];

// Standard Huffman tables (ITU T.81 Annex K): code counts per length 1..16, then symbols.
const DC_LUMINANCE = {
  counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
  symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};
const DC_CHROMINANCE = {
  counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
  symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};
const AC_LUMINANCE = {
  counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  symbols: [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14,
    0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09,
    0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a,
    0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65,
    0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
    0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9,
    0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca,
    0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea,
    0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};
const AC_CHROMINANCE = {
  counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  symbols: [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32,
    0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16,
    0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39,
    0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64,
    0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86,
    0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8,
    0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9,
    0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};

interface HuffmanTable {
  readonly counts: readonly number[];
  readonly symbols: readonly number[];
  readonly code: Uint16Array;
  readonly length: Uint8Array;
}

function buildHuffman(spec: { counts: number[]; symbols: number[] }): HuffmanTable {
  const code = new Uint16Array(256);
  const length = new Uint8Array(256);
  let next = 0;
  let k = 0;
  for (let bits = 1; bits <= 16; bits++) {
    for (let i = 0; i < spec.counts[bits - 1]!; i++) {
      const symbol = spec.symbols[k++]!;
      code[symbol] = next++;
      length[symbol] = bits;
    }
    next <<= 1;
  }
  return { ...spec, code, length };
}

const HUFFMAN = {
  dcY: buildHuffman(DC_LUMINANCE),
  acY: buildHuffman(AC_LUMINANCE),
  dcC: buildHuffman(DC_CHROMINANCE),
  acC: buildHuffman(AC_CHROMINANCE),
};

/** cos((2x + 1)uπ/16)·c(u)/2, the 1-D DCT basis. */
const DCT = (() => {
  const table = new Float64Array(64);
  for (let u = 0; u < 8; u++)
    for (let x = 0; x < 8; x++)
      table[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) * Math.cos(((2 * x + 1) * u * Math.PI) / 16) * 0.5;
  return table;
})();

const quantCache = new Map<number, { luminance: Uint8Array; chrominance: Uint8Array }>();

function quantTables(quality: number): { luminance: Uint8Array; chrominance: Uint8Array } {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const cached = quantCache.get(q);
  if (cached) return cached;
  const scale = q < 50 ? 5000 / q : 200 - q * 2;
  const make = (base: number[]): Uint8Array =>
    Uint8Array.from(base, (value) => Math.min(255, Math.max(1, Math.floor((value * scale + 50) / 100))));
  const tables = { luminance: make(LUMINANCE_QUANT), chrominance: make(CHROMINANCE_QUANT) };
  quantCache.set(q, tables);
  return tables;
}

class BitWriter {
  private bytes: Uint8Array;
  private size = 0;
  private buffer = 0;
  private count = 0;

  constructor(capacity = 4096) {
    this.bytes = new Uint8Array(capacity);
  }

  append(chunk: Uint8Array): void {
    while (this.size + chunk.length > this.bytes.length) this.grow();
    this.bytes.set(chunk, this.size);
    this.size += chunk.length;
  }

  private grow(): void {
    const grown = new Uint8Array(this.bytes.length * 2);
    grown.set(this.bytes);
    this.bytes = grown;
  }

  byte(value: number): void {
    if (this.size === this.bytes.length) this.grow();
    this.bytes[this.size++] = value;
  }

  word(value: number): void {
    this.byte(value >> 8);
    this.byte(value & 0xff);
  }

  /** Appends `length` (≤ 16) bits, most significant first, stuffing a 0 after every 0xFF byte. */
  bits(value: number, length: number): void {
    this.buffer = (this.buffer << length) | (value & ((1 << length) - 1));
    this.count += length;
    while (this.count >= 8) {
      const byte = (this.buffer >> (this.count - 8)) & 0xff;
      this.byte(byte);
      if (byte === 0xff) this.byte(0);
      this.count -= 8;
    }
    this.buffer &= (1 << this.count) - 1;
  }

  flushBits(): void {
    if (this.count > 0) this.bits((1 << (8 - this.count)) - 1, 8 - this.count);
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.size);
  }
}

function magnitude(value: number): { bits: number; size: number } {
  const absolute = Math.abs(value);
  let size = 0;
  while (absolute >> size) size += 1;
  return { bits: value < 0 ? value + (1 << size) - 1 : value, size };
}

const temp = new Float64Array(64);
const coefficients = new Int32Array(64);

function encodeBlock(
  writer: BitWriter,
  block: Float64Array,
  quant: Uint8Array,
  previousDc: number,
  dc: HuffmanTable,
  ac: HuffmanTable,
): number {
  // 2-D DCT as two 1-D passes, then quantise in zig-zag order.
  for (let y = 0; y < 8; y++)
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let x = 0; x < 8; x++) sum += DCT[u * 8 + x]! * block[y * 8 + x]!;
      temp[y * 8 + u] = sum;
    }
  for (let v = 0; v < 8; v++)
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let y = 0; y < 8; y++) sum += DCT[v * 8 + y]! * temp[y * 8 + u]!;
      coefficients[v * 8 + u] = Math.round(sum / quant[v * 8 + u]!);
    }
  const dcValue = coefficients[0]!;
  const diff = magnitude(dcValue - previousDc);
  writer.bits(dc.code[diff.size]!, dc.length[diff.size]!);
  if (diff.size > 0) writer.bits(diff.bits, diff.size);
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const value = coefficients[ZIGZAG[k]!]!;
    if (value === 0) {
      run += 1;
      continue;
    }
    while (run > 15) {
      writer.bits(ac.code[0xf0]!, ac.length[0xf0]!);
      run -= 16;
    }
    const m = magnitude(value);
    const symbol = (run << 4) | m.size;
    writer.bits(ac.code[symbol]!, ac.length[symbol]!);
    writer.bits(m.bits, m.size);
    run = 0;
  }
  if (run > 0) writer.bits(ac.code[0]!, ac.length[0]!);
  return dcValue;
}

function writeHeaders(
  writer: BitWriter,
  width: number,
  height: number,
  quant: { luminance: Uint8Array; chrominance: Uint8Array },
): void {
  writer.word(0xffd8);
  writer.word(0xffe0);
  writer.word(16);
  for (const byte of [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]) writer.byte(byte);
  writer.word(0xffdb);
  writer.word(2 + 2 * 65);
  for (const [id, table] of [
    [0, quant.luminance],
    [1, quant.chrominance],
  ] as const) {
    writer.byte(id);
    for (let k = 0; k < 64; k++) writer.byte(table[ZIGZAG[k]!]!);
  }
  writer.word(0xffc0);
  writer.word(17);
  writer.byte(8);
  writer.word(height);
  writer.word(width);
  writer.byte(3);
  for (const [id, table] of [
    [1, 0],
    [2, 1],
    [3, 1],
  ] as const) {
    writer.byte(id);
    writer.byte(0x11);
    writer.byte(table);
  }
  writer.word(0xffc4);
  const tables = [
    [0x00, HUFFMAN.dcY],
    [0x10, HUFFMAN.acY],
    [0x01, HUFFMAN.dcC],
    [0x11, HUFFMAN.acC],
  ] as const;
  writer.word(2 + tables.reduce((sum, [, table]) => sum + 17 + table.symbols.length, 0));
  for (const [id, table] of tables) {
    writer.byte(id);
    for (const count of table.counts) writer.byte(count);
    for (const symbol of table.symbols) writer.byte(symbol);
  }
  writer.word(0xffda);
  writer.word(12);
  writer.byte(3);
  for (const [id, tablesByte] of [
    [1, 0x00],
    [2, 0x11],
    [3, 0x11],
  ] as const) {
    writer.byte(id);
    writer.byte(tablesByte);
  }
  writer.byte(0);
  writer.byte(63);
  writer.byte(0);
}

/** Headers depend only on size and quality: built once per combination (a preview stream reuses them). */
const headerCache = new Map<string, Uint8Array>();

function headersFor(
  width: number,
  height: number,
  quality: number,
  quant: { luminance: Uint8Array; chrominance: Uint8Array },
): Uint8Array {
  const key = `${width}x${height}@${quality}`;
  let bytes = headerCache.get(key);
  if (!bytes) {
    const writer = new BitWriter();
    writeHeaders(writer, width, height, quant);
    bytes = writer.result();
    if (headerCache.size > 64) headerCache.clear();
    headerCache.set(key, bytes);
  }
  return bytes;
}

/** Encodes RGB or RGBA pixels (alpha ignored) as a baseline JPEG. */
export function encodeJpegFast(raster: RasterU8, quality = 90): Uint8Array {
  const { width, height, channels, data } = raster;
  const quant = quantTables(quality);
  const writer = new BitWriter(Math.max(1024, width * height));
  writer.append(headersFor(width, height, Math.round(quality), quant));

  const y = new Float64Array(64);
  const cb = new Float64Array(64);
  const cr = new Float64Array(64);
  let dcY = 0;
  let dcCb = 0;
  let dcCr = 0;
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      for (let j = 0; j < 8; j++) {
        const py = Math.min(by + j, height - 1);
        for (let i = 0; i < 8; i++) {
          const px = Math.min(bx + i, width - 1);
          const offset = (py * width + px) * channels;
          const r = data[offset]!;
          const g = data[offset + 1]!;
          const b = data[offset + 2]!;
          y[j * 8 + i] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
          cb[j * 8 + i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
          cr[j * 8 + i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
        }
      }
      dcY = encodeBlock(writer, y, quant.luminance, dcY, HUFFMAN.dcY, HUFFMAN.acY);
      dcCb = encodeBlock(writer, cb, quant.chrominance, dcCb, HUFFMAN.dcC, HUFFMAN.acC);
      dcCr = encodeBlock(writer, cr, quant.chrominance, dcCr, HUFFMAN.dcC, HUFFMAN.acC);
    }
  }
  writer.flushBits();
  writer.word(0xffd9);
  return writer.result();
}
