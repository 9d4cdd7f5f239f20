import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  executionProviderChoice,
  onExecutionProviderChoice,
  setExecutionProvider,
  type ProviderChoice,
} from '../../nodes/runtime/onnx/execution-provider.js';
import { loadSession, runSession } from '../../nodes/runtime/onnx/session.js';
import type { ExecutionProviderStatus } from '../../shared/execution-provider.js';
import { nearestUpscaler } from '../fixtures/upscale-fixture-graphs.js';
import { getJson, startTestServer, TestSocket, type TestServer } from '../helpers/server.js';
import { runToHistory } from '../helpers/workflow-run.js';

/**
 * A session asked for on webgpu: where the machine has an adapter it runs there, else (no GPU, no Vulkan) it falls
 * back to cpu with onnxruntime's reason, reported once; either way it loads and computes.
 */

const root = resolve(import.meta.dirname, '..', '..');
const decoder = join(root, 'tests', 'fixtures', 'diffusion', 'tiny-lcm', 'vae_decoder', 'model.onnx');

let server: TestServer | undefined;
afterEach(async () => {
  setExecutionProvider('cpu');
  onExecutionProviderChoice(undefined);
  await server?.stop();
  server = undefined;
});

describe('the webgpu execution provider', () => {
  it('runs a tiny model on webgpu, or on cpu with the reason it could not start', async () => {
    const choices: ProviderChoice[] = [];
    onExecutionProviderChoice((choice) => choices.push(choice));
    setExecutionProvider('webgpu');
    const loaded = await loadSession(decoder, { threads: 1, spinning: false });
    const again = await loadSession(decoder, { threads: 1, spinning: false });
    try {
      const outputs = await runSession(loaded, {
        latent_sample: { data: new Float32Array(4 * 8 * 8).fill(0.5), dims: [1, 4, 8, 8] },
      });
      const sample = Object.values(outputs)[0]!;
      expect(sample.dims.slice(0, 2)).toEqual([1, 3]);
      expect(sample.data.length).toBeGreaterThan(0);
      expect(sample.data.every((value) => Number.isFinite(value))).toBe(true);
      console.log(`webgpu session: ${JSON.stringify(executionProviderChoice())}`);
      expect(choices).toHaveLength(1);
      const choice = choices[0]!;
      expect(choice.requested).toBe('webgpu');
      expect(loaded.provider).toBe(choice.active);
      expect(again.provider).toBe(choice.active);
      if (choice.active === 'webgpu') expect(choice.reason).toBeUndefined();
      else {
        expect(choice.active).toBe('cpu');
        expect(choice.reason).toMatch(/\S/);
      }
    } finally {
      await loaded.session.release();
      await again.session.release();
    }
  });

  it('runs on cpu, as before, by default', async () => {
    const loaded = await loadSession(decoder, { threads: 1, spinning: false });
    await loaded.session.release();
    expect(loaded.provider).toBe('cpu');
    expect(executionProviderChoice()).toEqual({ requested: 'cpu', active: 'cpu' });
  });
});

interface Stats {
  devices: { name: string; type: string }[];
  execution_provider: ExecutionProviderStatus;
}

describe('/system_stats with --execution-provider webgpu', () => {
  it('shows the provider asked for, then the one the first model runs on', async () => {
    server = await startTestServer({ executionProvider: 'webgpu' });
    const folder = join(server.dirs.modelsDir, 'upscale_models');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'nearest-x2.onnx'), nearestUpscaler(2));
    const before = (await getJson(`${server.url}/system_stats`)).json as Stats;
    expect(before.execution_provider).toEqual({ requested: 'webgpu', active: null });
    expect(before.devices[0]).toMatchObject({ name: 'cpu', type: 'cpu' });

    const socket = await TestSocket.open(server.url, 'provider');
    await runToHistory(server, socket, {
      '1': { class_type: 'LoadImage', inputs: { image: 'test.png' } },
      '2': { class_type: 'UpscaleModelLoader', inputs: { model_name: 'nearest-x2.onnx' } },
      '3': { class_type: 'ImageUpscaleWithModel', inputs: { upscale_model: ['2', 0], image: ['1', 0] } },
      '4': { class_type: 'PreviewImage', inputs: { images: ['3', 0] } },
    });
    socket.close();
    const after = (await getJson(`${server.url}/system_stats`)).json as Stats;
    const provider = after.execution_provider;
    expect(provider.requested).toBe('webgpu');
    expect(['webgpu', 'cpu']).toContain(provider.active);
    if (provider.active === 'cpu') expect(provider.fallbackReason).toMatch(/\S/);
    else expect(provider.fallbackReason).toBeUndefined();
    expect(after.devices[0]).toMatchObject({ name: provider.active, type: provider.active });
  });
});
