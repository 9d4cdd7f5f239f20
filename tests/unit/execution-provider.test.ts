import { afterEach, describe, expect, it } from 'vitest';
import {
  createWithProvider,
  executionProviderChoice,
  onExecutionProviderChoice,
  providerFailureReason,
  setExecutionProvider,
  type ProviderChoice,
} from '../../nodes/runtime/onnx/execution-provider.js';
import { executionProviderOption } from '../../server/cli/option-spec.js';
import { serverOptionsFrom, type ServeValues } from '../../server/cli/serve-options.js';
import {
  describeExecutionProviderStatus,
  EXECUTION_PROVIDERS,
  parseExecutionProvider,
  type ExecutionProviderName,
} from '../../shared/execution-provider.js';
import type { Result } from '../../shared/result.js';

function reasonOf(result: Result<unknown>): string {
  return result.ok ? '' : result.reason;
}

afterEach(() => {
  setExecutionProvider('cpu');
  onExecutionProviderChoice(undefined);
});

describe('parseExecutionProvider', () => {
  it('accepts the names onnxruntime-node takes, in any case, spaces around them ignored', () => {
    for (const name of EXECUTION_PROVIDERS) expect(parseExecutionProvider(name)).toEqual({ ok: true, value: name });
    expect(parseExecutionProvider(' WebGPU ')).toEqual({ ok: true, value: 'webgpu' });
    expect(parseExecutionProvider('CUDA')).toEqual({ ok: true, value: 'cuda' });
  });

  it('refuses anything else, listing the accepted names', () => {
    const expected =
      'unknown execution provider "vulkan": expected one of cpu, webgpu, cuda, tensorrt, dml (Windows), coreml (macOS)';
    expect(parseExecutionProvider('vulkan')).toEqual({ ok: false, reason: expected });
    expect(reasonOf(parseExecutionProvider(''))).toContain('""');
    expect(reasonOf(parseExecutionProvider('cpu,webgpu'))).toContain('"cpu,webgpu"');
    expect(reasonOf(parseExecutionProvider(undefined))).toContain('undefined');
    expect(reasonOf(parseExecutionProvider(3))).toContain('provider 3:');
  });
});

describe('the execution provider status line', () => {
  it('says which provider runs, and why the one asked for fell back to cpu', () => {
    expect(describeExecutionProviderStatus({ requested: 'cpu', active: 'cpu' })).toBe(
      'onnxruntime: running on execution provider cpu',
    );
    expect(describeExecutionProviderStatus({ requested: 'webgpu', active: 'webgpu' })).toBe(
      'onnxruntime: running on execution provider webgpu',
    );
    expect(
      describeExecutionProviderStatus({
        requested: 'webgpu',
        active: 'cpu',
        fallbackReason: 'Failed to get a WebGPU adapter: No supported adapters',
      }),
    ).toBe(
      'onnxruntime: execution provider webgpu could not start (Failed to get a WebGPU adapter: No supported adapters); running on cpu',
    );
  });
});

describe("onnxruntime's provider errors, shortened", () => {
  it('drops the source location and the failed check', () => {
    expect(
      providerFailureReason(
        new Error(
          '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n',
        ),
      ),
    ).toBe('Failed to get a WebGPU adapter: No supported adapters');
    expect(
      providerFailureReason(new Error('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library')),
    ).toBe('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
    expect(providerFailureReason('no available backend found. ERR: [dml] backend not found.')).toBe(
      'no available backend found. ERR: [dml] backend not found.',
    );
  });
});

describe('creating sessions on the chosen provider', () => {
  function creator(failing: ReadonlySet<ExecutionProviderName>) {
    const asked: (readonly ExecutionProviderName[])[] = [];
    const create = (providers: readonly ExecutionProviderName[]): Promise<string> => {
      asked.push(providers);
      const name = providers[0]!;
      return failing.has(name) ? Promise.reject(new Error(`${name} is absent`)) : Promise.resolve(`session on ${name}`);
    };
    return { asked, create };
  }

  it('runs on the provider asked for when it starts, reported once', async () => {
    const choices: ProviderChoice[] = [];
    onExecutionProviderChoice((choice) => choices.push(choice));
    setExecutionProvider('webgpu');
    expect(executionProviderChoice()).toBeUndefined();
    const { asked, create } = creator(new Set());
    expect(await createWithProvider(create)).toEqual({ session: 'session on webgpu', provider: 'webgpu' });
    expect(await createWithProvider(create)).toEqual({ session: 'session on webgpu', provider: 'webgpu' });
    expect(asked).toEqual([['webgpu'], ['webgpu']]);
    expect(choices).toEqual([{ requested: 'webgpu', active: 'webgpu' }]);
  });

  it('falls back to cpu with the reason, reported once, and later sessions go straight to cpu', async () => {
    const choices: ProviderChoice[] = [];
    onExecutionProviderChoice((choice) => choices.push(choice));
    setExecutionProvider('cuda');
    const { asked, create } = creator(new Set(['cuda']));
    expect(await createWithProvider(create)).toEqual({ session: 'session on cpu', provider: 'cpu' });
    expect(await createWithProvider(create)).toEqual({ session: 'session on cpu', provider: 'cpu' });
    expect(asked).toEqual([['cuda'], ['cpu'], ['cpu']]);
    expect(choices).toEqual([{ requested: 'cuda', active: 'cpu', reason: 'cuda is absent' }]);
    expect(executionProviderChoice()).toEqual({ requested: 'cuda', active: 'cpu', reason: 'cuda is absent' });
  });

  it("throws cpu's error, recording no fallback, when the model fails on cpu too", async () => {
    const choices: ProviderChoice[] = [];
    onExecutionProviderChoice((choice) => choices.push(choice));
    setExecutionProvider('webgpu');
    const { create } = creator(new Set(['webgpu', 'cpu']));
    await expect(createWithProvider(create)).rejects.toThrow('cpu is absent');
    expect(choices).toEqual([]);
    expect(executionProviderChoice()).toBeUndefined();
  });

  it('reports cpu when cpu is asked for', async () => {
    const choices: ProviderChoice[] = [];
    onExecutionProviderChoice((choice) => choices.push(choice));
    const { asked, create } = creator(new Set());
    await createWithProvider(create);
    await createWithProvider(create);
    expect(asked).toEqual([['cpu'], ['cpu']]);
    expect(choices).toEqual([{ requested: 'cpu', active: 'cpu' }]);
  });
});

describe('--execution-provider', () => {
  const read = (texts: string[], env: Record<string, string> = {}) =>
    executionProviderOption('cpu', env).read(texts, '--execution-provider');

  it('reads the flag, else INKGRAPH_EXECUTION_PROVIDER, else the default', () => {
    expect(read([])).toEqual({ ok: true, value: 'cpu' });
    expect(read(['webgpu'])).toEqual({ ok: true, value: 'webgpu' });
    expect(read([], { INKGRAPH_EXECUTION_PROVIDER: 'cuda' })).toEqual({ ok: true, value: 'cuda' });
    expect(read(['webgpu'], { INKGRAPH_EXECUTION_PROVIDER: 'cuda' })).toEqual({ ok: true, value: 'webgpu' });
    expect(read([], { INKGRAPH_EXECUTION_PROVIDER: '' })).toEqual({ ok: true, value: 'cpu' });
  });

  it('names the flag or the variable a bad name came from', () => {
    expect(reasonOf(read(['gpu']))).toMatch(/^--execution-provider: unknown execution provider "gpu": expected one of/);
    expect(reasonOf(read([], { INKGRAPH_EXECUTION_PROVIDER: 'gpu' }))).toMatch(
      /^INKGRAPH_EXECUTION_PROVIDER: unknown execution provider "gpu": expected one of/,
    );
  });

  it("goes into the server's options", () => {
    const base = { host: '127.0.0.1', port: 0, 'allowed-hosts': [] } as unknown as ServeValues;
    expect(serverOptionsFrom({ ...base, 'execution-provider': 'webgpu' }).executionProvider).toBe('webgpu');
    expect(serverOptionsFrom(base).executionProvider).toBeUndefined();
  });
});
