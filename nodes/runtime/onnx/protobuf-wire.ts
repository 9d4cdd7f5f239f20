import { err, ok, type Result } from '../../../shared/result.js';

/**
 * Protocol Buffers' wire format, as far as reading an ONNX model's graph and rewriting some of its tensors needs:
 * fields are read as byte ranges into the original buffer (a model's weights are never copied to be looked at).
 */

export const WireType = { VARINT: 0, FIXED64: 1, BYTES: 2, FIXED32: 5 } as const;

export interface WireField {
  readonly number: number;
  readonly wireType: number;
  /** Where the whole field (tag included) lies, [begin, end). */
  readonly begin: number;
  readonly end: number;
  /** VARINT: the value (exact up to 2^53); FIXED32/64: the value's offset; BYTES: the payload's offset. */
  readonly value: number;
  /** BYTES only: the payload's range [value, payloadEnd). */
  readonly payloadEnd: number;
}

function readVarint(bytes: Uint8Array, at: number, end: number): Result<{ value: number; next: number }> {
  let value = 0;
  let scale = 1;
  for (let i = at; i < end && i < at + 10; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return ok({ value, next: i + 1 });
  }
  return err(`a varint at byte ${at} runs past its message`);
}

/** The fields of the message in bytes [begin, end), in order; a malformed message is an error, not a throw. */
export function readFields(bytes: Uint8Array, begin = 0, end = bytes.length): Result<WireField[]> {
  const fields: WireField[] = [];
  let at = begin;
  while (at < end) {
    const tag = readVarint(bytes, at, end);
    if (!tag.ok) return tag;
    const number = Math.floor(tag.value.value / 8);
    const wireType = tag.value.value % 8;
    if (number === 0) return err(`field number 0 at byte ${at}`);
    let value = tag.value.next;
    let next: number;
    let payloadEnd = 0;
    if (wireType === WireType.VARINT) {
      const varint = readVarint(bytes, value, end);
      if (!varint.ok) return varint;
      value = varint.value.value;
      next = varint.value.next;
    } else if (wireType === WireType.FIXED64) next = value + 8;
    else if (wireType === WireType.FIXED32) next = value + 4;
    else if (wireType === WireType.BYTES) {
      const length = readVarint(bytes, value, end);
      if (!length.ok) return length;
      value = length.value.next;
      next = payloadEnd = value + length.value.value;
    } else return err(`wire type ${wireType} (groups are not used by ONNX) at byte ${at}`);
    if (next > end) return err(`field ${number} at byte ${at} runs past its message (${next} > ${end})`);
    fields.push({ number, wireType, begin: at, end: next, value, payloadEnd });
    at = next;
  }
  return ok(fields);
}

export function fieldString(bytes: Uint8Array, field: WireField): string {
  return new TextDecoder().decode(bytes.subarray(field.value, field.payloadEnd));
}

/** A repeated int64 field's values: packed (one BYTES field) or one VARINT field each; both are legal. */
export function readInt64s(bytes: Uint8Array, fields: readonly WireField[], number: number): Result<number[]> {
  const values: number[] = [];
  for (const field of fields) {
    if (field.number !== number) continue;
    if (field.wireType === WireType.VARINT) values.push(field.value);
    else if (field.wireType === WireType.BYTES) {
      let at = field.value;
      while (at < field.payloadEnd) {
        const varint = readVarint(bytes, at, field.payloadEnd);
        if (!varint.ok) return varint;
        values.push(varint.value.value);
        at = varint.value.next;
      }
    }
  }
  return ok(values);
}

function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** Builds a message from fields, written in the order they are added. */
export class MessageWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  private push(part: Uint8Array): this {
    this.parts.push(part);
    this.length += part.length;
    return this;
  }

  varint(number: number, value: number): this {
    return this.push(Uint8Array.from([...encodeVarint(number * 8 + WireType.VARINT), ...encodeVarint(value)]));
  }

  bytes(number: number, payload: Uint8Array): this {
    this.push(Uint8Array.from([...encodeVarint(number * 8 + WireType.BYTES), ...encodeVarint(payload.length)]));
    return this.push(payload);
  }

  string(number: number, value: string): this {
    return this.bytes(number, new TextEncoder().encode(value));
  }

  /** Fields copied as they are (tags included). */
  raw(encoded: Uint8Array): this {
    return this.push(encoded);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
