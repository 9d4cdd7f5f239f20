import { describe, expect, it } from 'vitest';
import { readOnnxGraph } from '../../nodes/runtime/onnx/onnx-graph.js';
import { readFields, MessageWriter } from '../../nodes/runtime/onnx/protobuf-wire.js';
import { residualLevels, residualNames } from '../../nodes/runtime/diffusion/controlnet.js';

describe('protobuf wire reading', () => {
  it('round-trips varints, bytes and strings', () => {
    const bytes = new MessageWriter()
      .varint(1, 300)
      .string(2, 'hé')
      .varint(3, 2 ** 40)
      .finish();
    const fields = readFields(bytes);
    expect(fields.ok).toBe(true);
    if (!fields.ok) return;
    expect(fields.value.map((f) => [f.number, f.wireType])).toEqual([
      [1, 0],
      [2, 2],
      [3, 0],
    ]);
    expect(fields.value[0]!.value).toBe(300);
    expect(fields.value[2]!.value).toBe(2 ** 40);
  });

  it('says why, without throwing, for truncated or hostile bytes', () => {
    expect(readFields(Uint8Array.from([0x0a, 0x05, 1, 2])).ok).toBe(false);
    expect(readFields(Uint8Array.from([0x08, 0xff, 0xff])).ok).toBe(false);
    expect(readFields(Uint8Array.from([0x0b])).ok).toBe(false);
    const graph = readOnnxGraph(Uint8Array.from([1, 2, 3]));
    expect(graph.ok).toBe(false);
    expect(readOnnxGraph(new MessageWriter().varint(1, 8).finish())).toEqual({
      ok: false,
      reason: 'not an ONNX model: it has no graph',
    });
  });
});

describe('residual names', () => {
  it('orders down residuals by their number and finds the mid one', () => {
    expect(
      residualNames(['mid_block_additional_residual', 'down_block_10', 'down_block_2', 'down_block_0', 'down_block_1']),
    ).toEqual({
      down: ['down_block_0', 'down_block_1', 'down_block_2', 'down_block_10'],
      mid: 'mid_block_additional_residual',
    });
    expect(residualNames(['sample', 'timestep'])).toEqual({ down: [], mid: undefined });
  });
});

describe('residual levels', () => {
  it("follows diffusers' layout from the UNet's config", () => {
    // SD 1.x: conv_in, two resnets and a downsampler per block but the last; the mid block at the deepest level.
    expect(residualLevels(12, { blocks: 4, layersPerBlock: 2 })).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3]);
    // SDXL: three blocks.
    expect(residualLevels(9, { blocks: 3, layersPerBlock: 2 })).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 2]);
  });

  it('gives one residual per level to a UNet with one skip per block (the embedded model)', () => {
    expect(residualLevels(3, { blocks: 3 })).toEqual([0, 1, 2, 2]);
  });

  it("falls back to SD's three per level without a config", () => {
    expect(residualLevels(12, {})).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3]);
    expect(residualLevels(3, {})).toEqual([0, 0, 0, 0]);
    expect(residualLevels(5, { blocks: 4, layersPerBlock: 2 })).toEqual([0, 0, 0, 1, 1, 1]);
  });
});
