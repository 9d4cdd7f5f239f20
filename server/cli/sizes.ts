import { err, ok, type Result } from '../../shared/result.js';

const BYTE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/** "8GiB", "8G" (binary), "8GB" (decimal), "512MiB", "1073741824": a whole number of bytes. */
export function parseByteSize(text: string): Result<number> {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined)
    return err(`${JSON.stringify(text)} is not a size: write e.g. 8GiB, 512MiB or a number of bytes`);
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) return err(`${JSON.stringify(text)} is not a positive size`);
  return ok(bytes);
}

/** "64M" (64 × 2^20 pixels, as the binary sizes), "16k", "67108864": a whole number of pixels. */
export function parsePixelCount(text: string): Result<number> {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(k|m|mp)?\s*$/i.exec(text);
  if (!match) return err(`${JSON.stringify(text)} is not a pixel count: write e.g. 64M or 67108864`);
  const unit = match[2] === undefined ? 1 : match[2].toLowerCase() === 'k' ? 1024 : 1024 ** 2;
  const pixels = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(pixels) || pixels <= 0) return err(`${JSON.stringify(text)} is not a positive pixel count`);
  return ok(pixels);
}
