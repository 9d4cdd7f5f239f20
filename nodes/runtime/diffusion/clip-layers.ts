/**
 * CLIPSetLastLayer ("clip skip"), as ComfyUI's sd1_clip/sdxl_clip choose a layer: −1 is the last, −2 the one before;
 * beyond the encoder's depth it falls back to the last layer. SD1/SD2 put the chosen hidden state through the final
 * layer norm (layer_norm_hidden_state); SDXL does not. ONNX exports carry the hidden states as `hidden_states.0…N`
 * outputs but not the norm's weights, so those are recovered from the export's own last layer: last_hidden_state is
 * the norm of hidden_states.N, a per-channel affine map of its normalised values, fitted exactly by least squares.
 * Pure.
 */

export interface TextEncoderLayers {
  /** Transformer layers (N of hidden_states.0…N), when known. */
  readonly count: number | undefined;
  /** Whether the export has hidden_states.* outputs. */
  readonly hiddenStates: boolean;
  /** diffusers' SD2 text encoders drop OpenCLIP's last layer (23 of 24): ComfyUI's −2 is their last. */
  readonly lastDropped: boolean;
}

export type LayerChoice =
  | { readonly kind: 'last' }
  | { readonly kind: 'hidden'; readonly output: string; readonly finalNormFrom: string | undefined };

/** N of the `hidden_states.0…N` outputs, or undefined without them. */
export function hiddenStateCount(outputNames: readonly string[]): number | undefined {
  const indices = outputNames.map((name) => /^hidden_states\.(\d+)$/.exec(name)?.[1]).filter((i) => i !== undefined);
  return indices.length > 0 ? Math.max(...indices.map(Number)) : undefined;
}

/** The layer SD1/SD2 read for `stop` (absent or −1: the last). Throws when the export cannot give it. */
export function chooseSdLayer(layers: TextEncoderLayers, stop: number | undefined): LayerChoice {
  if (stop === undefined || stop >= -1) {
    if (stop === -1 && layers.lastDropped)
      throw new Error(
        "this SD2 text encoder export ends one layer before OpenCLIP's last (diffusers drops it), so it cannot stop at " +
          "layer -1; -2 (ComfyUI's default for SD2) is its last layer",
      );
    return { kind: 'last' };
  }
  const depth = layers.count === undefined ? undefined : layers.count + (layers.lastDropped ? 1 : 0);
  if (depth !== undefined && -stop > depth) return { kind: 'last' };
  if (layers.lastDropped && stop === -2) return { kind: 'last' };
  if (!layers.hiddenStates || layers.count === undefined)
    throw new Error(
      `text_encoder/model.onnx has no hidden_states.* outputs, so it cannot stop at layer ${stop}: re-export the text ` +
        'encoder with its hidden states as outputs (optimum-cli export onnx writes hidden_states.0…N when the ' +
        "encoder's config has output_hidden_states: true)",
    );
  const index = layers.count + 1 + stop + (layers.lastDropped ? 1 : 0);
  return { kind: 'hidden', output: `hidden_states.${index}`, finalNormFrom: `hidden_states.${layers.count}` };
}

/** The output SDXL's encoders read for `stop` (no final norm): hidden_states.(N+1+stop), or last_hidden_state. */
export function sdxlLayerOutput(outputNames: readonly string[], stop: number): string {
  const count = hiddenStateCount(outputNames);
  if (count === undefined || -stop > count) return 'last_hidden_state';
  return `hidden_states.${count + 1 + stop}`;
}

const LAYER_NORM_EPSILON = 1e-5;

/** Each row of `values` ([rows, dim]) normalised to mean 0 and variance 1 (a layer norm without its weights). */
export function normaliseRows(values: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let start = 0; start < values.length; start += dim) {
    let mean = 0;
    for (let k = 0; k < dim; k++) mean += values[start + k]!;
    mean /= dim;
    let variance = 0;
    for (let k = 0; k < dim; k++) variance += (values[start + k]! - mean) ** 2;
    const scale = 1 / Math.sqrt(variance / dim + LAYER_NORM_EPSILON);
    for (let k = 0; k < dim; k++) out[start + k] = (values[start + k]! - mean) * scale;
  }
  return out;
}

/**
 * The final layer norm's per-channel scale and shift, from the last hidden state before it (`before`) and after it
 * (`after`), both [rows, dim]: a least-squares fit of after = normalised(before)·γ + β for each channel.
 */
export function fitFinalLayerNorm(
  before: Float32Array,
  after: Float32Array,
  dim: number,
): { gamma: Float64Array; beta: Float64Array } {
  const normalised = normaliseRows(before, dim);
  const rows = before.length / dim;
  const gamma = new Float64Array(dim);
  const beta = new Float64Array(dim);
  for (let k = 0; k < dim; k++) {
    let meanZ = 0;
    let meanY = 0;
    for (let r = 0; r < rows; r++) {
      meanZ += normalised[r * dim + k]!;
      meanY += after[r * dim + k]!;
    }
    meanZ /= rows;
    meanY /= rows;
    let covariance = 0;
    let variance = 0;
    for (let r = 0; r < rows; r++) {
      const z = normalised[r * dim + k]! - meanZ;
      covariance += z * (after[r * dim + k]! - meanY);
      variance += z * z;
    }
    gamma[k] = variance > 1e-12 ? covariance / variance : 0;
    beta[k] = meanY - gamma[k]! * meanZ;
  }
  return { gamma, beta };
}

/** `hidden` ([rows, dim]) through the final layer norm recovered from the last layer's before and after. */
export function applyFinalLayerNorm(
  hidden: Float32Array,
  lastBefore: Float32Array,
  lastAfter: Float32Array,
  dim: number,
): Float32Array {
  const { gamma, beta } = fitFinalLayerNorm(lastBefore, lastAfter, dim);
  const out = normaliseRows(hidden, dim);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * gamma[i % dim]! + beta[i % dim]!;
  return out;
}
