import { err, ok, type Result } from '../shared/result.js';

/** Linux's limits, counted in bytes of the UTF-8 name as the kernel sees it, not in characters. */
export const NAME_MAX_BYTES = 255;
/** PATH_MAX (4096) includes the terminating NUL. */
export const PATH_MAX_BYTES = 4095;

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** One path component: a reason when it is longer than a file system takes. */
export function checkNameLength(name: string, what = 'file name'): Result<string> {
  const bytes = byteLength(name);
  if (bytes > NAME_MAX_BYTES) return err(`${what} is ${bytes} bytes long in UTF-8; the most is ${NAME_MAX_BYTES}`);
  return ok(name);
}

/** Every '/'-separated segment of a relative path within NAME_MAX. */
export function checkSegmentLengths(relativePath: string, what = 'path'): Result<string> {
  for (const segment of relativePath.split('/')) {
    const checked = checkNameLength(
      segment,
      `${what} segment "${segment.length > 40 ? `${segment.slice(0, 40)}…` : segment}"`,
    );
    if (!checked.ok) return checked;
  }
  return ok(relativePath);
}

/** An absolute path as passed to the system calls: every component within NAME_MAX, the whole within PATH_MAX. */
export function checkPathLength(absolutePath: string, what = 'path'): Result<string> {
  const bytes = byteLength(absolutePath);
  if (bytes > PATH_MAX_BYTES) return err(`${what} would be ${bytes} bytes long on disk; the most is ${PATH_MAX_BYTES}`);
  const segments = checkSegmentLengths(absolutePath.replace(/^\/+/, ''), what);
  return segments.ok ? ok(absolutePath) : segments;
}

/**
 * Shortens `stem` (at a character boundary) so that `stem + suffix` fits in NAME_MAX bytes: used when a counter
 * such as " (1)" is added to a name that was already near the limit.
 */
export function fitName(stem: string, suffix: string): string {
  let room = NAME_MAX_BYTES - byteLength(suffix);
  let kept = '';
  for (const char of stem) {
    room -= byteLength(char);
    if (room < 0) break;
    kept += char;
  }
  return `${kept}${suffix}`;
}
