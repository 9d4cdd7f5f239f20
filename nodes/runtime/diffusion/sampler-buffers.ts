/**
 * The UNet input buffers a model's sampler keeps from step to step and from job to job, so onnxruntime is fed the
 * same arrays (and `runSession` reuses the tensors it made for them) instead of new ones at every call.
 * The engine runs one job, and so one sampler, at a time. Samples and timesteps are rewritten before each call;
 * a context tensor is the concatenation of conditioning arrays, found again by their identity
 * (cached node outputs, never written to), so it is built once for as long as those conditionings are in use.
 */
export class SamplerBuffers {
  private readonly samples = new Map<number, Float32Array>();
  private contexts: { readonly rows: readonly Float32Array[]; readonly tensor: Float32Array }[] = [];
  readonly timestep = new Float32Array(1);

  constructor(private readonly keptContexts = 8) {}

  /** A buffer of `length` values for the UNet's `sample` input. */
  sample(length: number): Float32Array {
    let buffer = this.samples.get(length);
    if (!buffer) this.samples.set(length, (buffer = new Float32Array(length)));
    return buffer;
  }

  /** The rows' contexts one after another; the same array while the rows are the same arrays. */
  context(rows: readonly Float32Array[]): Float32Array {
    const index = this.contexts.findIndex(
      (known) => known.rows.length === rows.length && known.rows.every((row, r) => row === rows[r]),
    );
    if (index >= 0) {
      const known = this.contexts[index]!;
      if (index > 0) this.contexts = [known, ...this.contexts.slice(0, index), ...this.contexts.slice(index + 1)];
      return known.tensor;
    }
    const tensor = new Float32Array(rows.reduce((sum, row) => sum + row.length, 0));
    let offset = 0;
    for (const row of rows) {
      tensor.set(row, offset);
      offset += row.length;
    }
    this.contexts = [{ rows: [...rows], tensor }, ...this.contexts].slice(0, this.keptContexts);
    return tensor;
  }
}

const buffersByModel = new WeakMap<object, SamplerBuffers>();

/** The buffers of one loaded model (released with it). */
export function samplerBuffersFor(model: object): SamplerBuffers {
  let buffers = buffersByModel.get(model);
  if (!buffers) buffersByModel.set(model, (buffers = new SamplerBuffers()));
  return buffers;
}
