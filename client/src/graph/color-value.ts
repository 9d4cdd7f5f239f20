/**
 * An INT widget shown as a colour (`display: "color"`, e.g. EmptyImage's `color`) holds 0xRRGGBB; a colour input
 * speaks `#rrggbb`. Pure.
 */

/** `#rrggbb` for an integer colour; values outside 0..0xFFFFFF (or not integers) are clamped and truncated first. */
export function intToHexColor(value: unknown): string {
  const number = typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
  const clamped = Math.min(0xffffff, Math.max(0, number));
  return `#${clamped.toString(16).padStart(6, '0')}`;
}

/** The integer for `#rrggbb` (or `#rgb`, as colour pickers may also give); undefined when the text is no colour. */
export function hexColorToInt(text: string): number | undefined {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(text);
  if (short) return Number.parseInt(`${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`, 16);
  const long = /^#([0-9a-f]{6})$/i.exec(text);
  return long ? Number.parseInt(long[1]!, 16) : undefined;
}
