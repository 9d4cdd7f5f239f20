/**
 * Errors are values: every operation in Inkgraph that can fail in an expected way returns a Result. `reason` says
 * why: a sentence by default, or a structured error where the caller needs more (e.g. ComfyUI's error shapes).
 */
export type Ok<T> = { ok: true; value: T };
export type Err<E = string> = { ok: false; reason: E };
export type Result<T, E = string> = Ok<T> | Err<E>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<E = string>(reason: E): Err<E> {
  return { ok: false, reason };
}
