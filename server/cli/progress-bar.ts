/** A terminal progress line: steps, node and ETA. Pure formatting; the caller writes it. */
export function formatProgressLine(opts: {
  value: number;
  max: number;
  label: string;
  elapsedMs: number;
  width?: number;
}): string {
  const width = opts.width ?? 24;
  const fraction = opts.max > 0 ? Math.min(1, Math.max(0, opts.value / opts.max)) : 0;
  const filled = Math.round(fraction * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const etaMs = fraction > 0 ? (opts.elapsedMs / fraction) * (1 - fraction) : Number.NaN;
  const eta = Number.isFinite(etaMs) ? `ETA ${(etaMs / 1000).toFixed(1)}s` : 'ETA –';
  return `${bar} ${opts.value}/${opts.max} ${opts.label} ${eta}`;
}
