import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHalf } from '../../media/float16.js';
import { openSafetensors, parseSafetensorsHeader } from '../../media/safetensors.js';
import { float32Bytes, safetensorsBytes } from '../helpers/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'inkgraph-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function written(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const reason = (bytes: Uint8Array): string => {
  const parsed = parseSafetensorsHeader(bytes, bytes.length);
  return parsed.ok ? 'parsed' : parsed.reason;
};

/** A kohya-style LoRA pair and its alpha, in three float dtypes. */
function loraFile(): Uint8Array {
  const half = new Uint16Array([toHalf(0.5), toHalf(-2), toHalf(1 / 3)]);
  const bf16 = new Uint16Array([0x3f80, 0xc040]); // 1, -3
  return safetensorsBytes(
    {
      'lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight': {
        dtype: 'F16',
        shape: [1, 3],
        bytes: new Uint8Array(half.buffer),
      },
      'lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight': {
        dtype: 'BF16',
        shape: [2, 1],
        bytes: new Uint8Array(bf16.buffer),
      },
      'lora_unet_down_blocks_0_attentions_0_proj_in.alpha': { dtype: 'F32', shape: [], bytes: float32Bytes([8]) },
      'lora_te_text_model_encoder_layers_0_mlp_fc1.alpha': {
        dtype: 'F64',
        shape: [1],
        bytes: new Uint8Array(Float64Array.from([0.1]).buffer),
      },
    },
    { metadata: { ss_network_dim: '4', ss_network_alpha: '8' } },
  );
}

describe('safetensors', () => {
  it('reads a header, its metadata and every float tensor exactly', () => {
    const file = openSafetensors(written('lora.safetensors', loraFile()));
    expect(file.ok).toBe(true);
    if (!file.ok) return;
    expect(file.value.header.metadata).toEqual({ ss_network_dim: '4', ss_network_alpha: '8' });
    expect(file.value.header.tensors.map((t) => [t.dtype, t.shape])).toEqual([
      ['F16', [1, 3]],
      ['BF16', [2, 1]],
      ['F32', []],
      ['F64', [1]],
    ]);
    const read = (name: string): number[] => {
      const values = file.value.readFloat32(name);
      return values.ok ? [...values.value] : [Number.NaN];
    };
    expect(read('lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight')).toEqual([
      0.5,
      -2,
      Math.fround(0.333251953125),
    ]);
    expect(read('lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight')).toEqual([1, -3]);
    expect(read('lora_unet_down_blocks_0_attentions_0_proj_in.alpha')).toEqual([8]);
    expect(read('lora_te_text_model_encoder_layers_0_mlp_fc1.alpha')).toEqual([Math.fround(0.1)]);
    const missing = file.value.readFloat32('nope');
    expect(!missing.ok && missing.reason).toMatch(/has no tensor "nope"/);
  });

  it('finds tensors by their offsets whatever the order of the JSON keys', () => {
    const bytes = safetensorsBytes(
      {
        a: { dtype: 'F32', shape: [1], bytes: float32Bytes([1]) },
        b: { dtype: 'F32', shape: [1], bytes: float32Bytes([2]) },
      },
      {
        header: {
          a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        },
      },
    );
    const file = openSafetensors(written('order.safetensors', bytes));
    expect(file.ok && file.value.header.tensors.map((t) => t.name)).toEqual(['b', 'a']);
    const a = file.ok ? file.value.readFloat32('a') : undefined;
    expect(a?.ok && [...a.value]).toEqual([2]);
  });

  it('refuses integer tensors as weights, naming them', () => {
    const bytes = safetensorsBytes({ steps: { dtype: 'I64', shape: [1], bytes: new Uint8Array(8) } });
    const file = openSafetensors(written('int.safetensors', bytes));
    const values = file.ok ? file.value.readFloat32('steps') : undefined;
    expect(values && !values.ok && values.reason).toMatch(/tensor "steps" is I64; only F32, F16, BF16 and F64/);
  });

  it('refuses every malformed header with a reason, never a throw', () => {
    const one = { x: { dtype: 'F32', shape: [2], bytes: float32Bytes([1, 2]) } };
    expect(reason(new Uint8Array(5))).toMatch(/shorter than a safetensors header/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 64n - 1n, true);
    expect(reason(huge)).toMatch(/over the 100000000 safetensors allows/);
    const long = safetensorsBytes(one);
    new DataView(long.buffer).setBigUint64(0, BigInt(long.length), true);
    expect(reason(long)).toMatch(/but the file is/);
    const notBrace = safetensorsBytes(one);
    notBrace[8] = 0x20;
    expect(reason(notBrace)).toMatch(/does not start with "\{"/);
    const notUtf8 = safetensorsBytes(one, { metadata: { k: 'é' } });
    notUtf8.set([0xff], 8 + Buffer.from(notUtf8.subarray(8)).indexOf('é'));
    expect(reason(notUtf8)).toMatch(/not UTF-8/);
    const notJson = safetensorsBytes(one);
    notJson[9] = 0x7b;
    expect(reason(notJson)).toMatch(/not JSON/);
    expect(
      reason(safetensorsBytes(one, { header: { x: { dtype: 'F31', shape: [2], data_offsets: [0, 8] } } })),
    ).toMatch(/tensor "x" has dtype "F31"/);
    expect(
      reason(safetensorsBytes(one, { header: { x: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } } })),
    ).toMatch(/shape \[-2\]/);
    expect(reason(safetensorsBytes(one, { header: { x: { dtype: 'F32', shape: [2], data_offsets: [0] } } }))).toMatch(
      /data_offsets \[0\]/,
    );
    expect(
      reason(safetensorsBytes(one, { header: { x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } } })),
    ).toMatch(/12 bytes, but its data_offsets span 8/);
    expect(
      reason(safetensorsBytes(one, { header: { x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } } })),
    ).toMatch(/leaving a hole/);
    const overlap = safetensorsBytes(one, {
      header: {
        y: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        z: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      },
    });
    expect(reason(overlap)).toMatch(/overlaps the tensor before it/);
    expect(reason(safetensorsBytes(one, { trailing: 4 }))).toMatch(/cover 8 bytes, but the file holds 12/);
    expect(reason(safetensorsBytes(one, { metadata: { n: 4 } }))).toMatch(/__metadata__ must be an object of strings/);
    expect(reason(safetensorsBytes(one, { header: { x: [1, 2] } }))).toMatch(/tensor "x" is not an object/);
  });

  it('survives any single corrupted byte of a valid file with a Result', () => {
    const valid = loraFile();
    for (let i = 0; i < valid.length; i++) {
      for (const value of [0x00, 0x22, 0x7d, 0xff]) {
        const broken = Uint8Array.from(valid);
        broken[i] = value;
        const parsed = parseSafetensorsHeader(broken, broken.length);
        expect(typeof parsed.ok).toBe('boolean');
      }
    }
  });

  it('opens a file whose header length lies without reading past its end', () => {
    const bytes = new Uint8Array(12);
    new DataView(bytes.buffer).setBigUint64(0, 50_000_000n, true);
    const file = openSafetensors(written('lying.safetensors', bytes));
    expect(!file.ok && file.reason).toMatch(
      /lying\.safetensors: the header says it is 50000000 bytes, but the file is 12/,
    );
    const absent = openSafetensors(join(dir, 'absent.safetensors'));
    expect(!absent.ok && absent.reason).toMatch(/cannot read .*absent\.safetensors/);
  });
});
