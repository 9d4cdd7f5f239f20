import { isLink, type ApiPrompt } from '../../../shared/workflow.js';

/**
 * What a run was made with, read from its API prompt: the sampler's seed and settings, the prompt texts that reach
 * its positive and negative inputs, the latent's size and the model. Pure, and tolerant: a graph without a sampler
 * gives the texts and the model it has, and a field that cannot be told stays undefined.
 */
export interface RunSettings {
  /** The sampler node read (its id and class), when the graph has one. */
  readonly sampler?: { readonly id: string; readonly classType: string };
  readonly positive: readonly string[];
  readonly negative: readonly string[];
  /** Prompt texts whose role is unknown (no sampler to say which side they feed). */
  readonly texts: readonly string[];
  readonly seed?: number;
  readonly steps?: number;
  readonly cfg?: number;
  readonly samplerName?: string;
  readonly scheduler?: string;
  readonly denoise?: number;
  readonly width?: number;
  readonly height?: number;
  readonly batchSize?: number;
  readonly model?: string;
}

/** Where a text encoder keeps its text (CLIPTextEncode, the SDXL encoders). */
const TEXT_INPUTS = ['text', 'text_g', 'text_l'] as const;
/** Where a node that passes a constant on keeps it (PrimitiveInt/String, PromptText). */
const VALUE_INPUTS = ['value', 'text', 'string', 'int', 'float', 'seed'] as const;
const MODEL_INPUTS = ['ckpt_name', 'unet_name', 'model_name', 'lora_name'] as const;
const CONDITIONING_INPUT = /^(conditioning|positive|negative)/;
const LATENT_INPUT = /^(latent_image|samples|samples_to|samples1|destination|latent|pixels)$/;
/** Links are followed this many nodes deep at most: a prompt is a DAG, but a bad one may not be. */
const MAX_DEPTH = 64;

type Node = ApiPrompt[string];

function linkSource(prompt: ApiPrompt, value: unknown): string | undefined {
  if (!isLink(value)) return undefined;
  const id = String(value[0]);
  return Object.hasOwn(prompt, id) ? id : undefined;
}

/** An input's constant, following links to nodes that only pass a constant on (a primitive, a prompt text). */
function constant(prompt: ApiPrompt, value: unknown, depth = 0): unknown {
  const source = linkSource(prompt, value);
  if (source === undefined) return isLink(value) ? undefined : value;
  if (depth >= MAX_DEPTH) return undefined;
  const inputs = prompt[source]!.inputs;
  for (const name of VALUE_INPUTS) if (Object.hasOwn(inputs, name)) return constant(prompt, inputs[name], depth + 1);
  return undefined;
}

function numberOf(prompt: ApiPrompt, node: Node, names: readonly string[]): number | undefined {
  for (const name of names) {
    const value = constant(prompt, node.inputs[name]);
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

function stringOf(prompt: ApiPrompt, node: Node, name: string): string | undefined {
  const value = constant(prompt, node.inputs[name]);
  return typeof value === 'string' ? value : undefined;
}

/** Node ids reachable from `start` by following links into inputs that `follow` accepts, nearest first. */
function upstream(prompt: ApiPrompt, start: readonly string[], follow: (input: string) => boolean): string[] {
  const seen = new Set<string>(start);
  const order = [...start];
  for (let index = 0; index < order.length; index++) {
    for (const [name, value] of Object.entries(prompt[order[index]!]!.inputs)) {
      const source = follow(name) ? linkSource(prompt, value) : undefined;
      if (source === undefined || seen.has(source)) continue;
      seen.add(source);
      order.push(source);
    }
  }
  return order;
}

const everyInput = (): boolean => true;

/**
 * A KSampler-like node: conditioning links in, and a seed or the sampling settings; or a SamplerCustomAdvanced-like
 * one, whose guider and σ list come in by links.
 */
function isSampler(node: Node): boolean {
  if (isLink(node.inputs.guider) && isLink(node.inputs.sigmas)) return true;
  const conditioned = isLink(node.inputs.positive) || isLink(node.inputs.negative);
  return conditioned && ['seed', 'noise_seed', 'steps', 'cfg'].some((name) => Object.hasOwn(node.inputs, name));
}

/** The node an input links to, if any. */
function linkedNode(prompt: ApiPrompt, node: Node, input: string): Node | undefined {
  const source = linkSource(prompt, node.inputs[input]);
  return source === undefined ? undefined : prompt[source];
}

/**
 * The schedule behind a custom sampler's `sigmas`: the nearest node up the σ links with a step count (a scheduler;
 * SplitSigmas and FlipSigmas are passed through), its scheduler widget or else its class (KarrasScheduler, …).
 */
function scheduleOf(prompt: ApiPrompt, sampler: Node): Pick<RunSettings, 'steps' | 'scheduler' | 'denoise'> {
  let node = linkedNode(prompt, sampler, 'sigmas');
  for (let depth = 0; node && depth < MAX_DEPTH; depth++) {
    const steps = numberOf(prompt, node, ['steps']);
    if (steps !== undefined) {
      const denoise = numberOf(prompt, node, ['denoise']);
      return {
        steps,
        scheduler: stringOf(prompt, node, 'scheduler') ?? node.class_type,
        ...(denoise !== undefined ? { denoise } : {}),
      };
    }
    node = linkedNode(prompt, node, 'sigmas');
  }
  return {};
}

/** A custom sampler's sampler: KSamplerSelect's name, or the option node's class (SamplerDPMPP_2M_SDE, …). */
function samplerNameOf(prompt: ApiPrompt, sampler: Node): string | undefined {
  const chosen = linkedNode(prompt, sampler, 'sampler');
  if (!chosen) return stringOf(prompt, sampler, 'sampler_name');
  return stringOf(prompt, chosen, 'sampler_name') ?? chosen.class_type;
}

/** A text encoder's texts, added to `texts` unless already there. */
function addTexts(prompt: ApiPrompt, node: Node, texts: string[]): void {
  for (const name of TEXT_INPUTS) {
    const text = stringOf(prompt, node, name);
    if (text !== undefined && !texts.includes(text)) texts.push(text);
  }
}

/**
 * Which conditioning inputs of `node` feed its output `output`: all of them, except on a node that carries both sides
 * through (InpaintModelConditioning: positive in → output 0, negative in → output 1), where only that side's.
 */
function conditioningInputs(node: Node, output: number): string[] {
  const names = Object.keys(node.inputs).filter((name) => CONDITIONING_INPUT.test(name));
  const bothSides = names.includes('positive') && names.includes('negative');
  if (!bothSides) return names;
  return names.filter((name) => (name !== 'positive' && name !== 'negative') || name === SIDES[output]);
}
const SIDES = ['positive', 'negative'];

/**
 * The prompt texts of the text encoders that feed the link `from` (a sampler's positive or negative input) through
 * conditioning links, nearest first, each once.
 */
function textsOf(prompt: ApiPrompt, from: unknown): string[] {
  const texts: string[] = [];
  const queue: [string, number][] =
    isLink(from) && Object.hasOwn(prompt, String(from[0])) ? [[String(from[0]), from[1]]] : [];
  const seen = new Set(queue.map(([id, output]) => `${id}:${output}`));
  for (let index = 0; index < queue.length; index++) {
    const [id, output] = queue[index]!;
    const node = prompt[id]!;
    addTexts(prompt, node, texts);
    for (const name of conditioningInputs(node, output)) {
      const value = node.inputs[name];
      const source = linkSource(prompt, value);
      if (source === undefined || !isLink(value) || seen.has(`${source}:${value[1]}`)) continue;
      seen.add(`${source}:${value[1]}`);
      queue.push([source, value[1]]);
    }
  }
  return texts;
}

function linkedFrom(prompt: ApiPrompt, node: Node, input: string): string[] {
  const source = linkSource(prompt, node.inputs[input]);
  return source === undefined ? [] : [source];
}

function firstModel(prompt: ApiPrompt, ids: readonly string[]): string | undefined {
  for (const id of ids)
    for (const name of MODEL_INPUTS) {
      const model = stringOf(prompt, prompt[id]!, name);
      if (model !== undefined) return model;
    }
  return undefined;
}

function sizeOf(prompt: ApiPrompt, ids: readonly string[]): Pick<RunSettings, 'width' | 'height' | 'batchSize'> {
  for (const id of ids) {
    const node = prompt[id]!;
    const width = numberOf(prompt, node, ['width']);
    const height = numberOf(prompt, node, ['height']);
    if (width === undefined || height === undefined) continue;
    const batchSize = numberOf(prompt, node, ['batch_size']);
    return { width, height, ...(batchSize !== undefined ? { batchSize } : {}) };
  }
  return {};
}

/**
 * The settings of the run that made `outputNodeId`'s images (the sampler nearest upstream of it); without an output
 * node, or when none of its ancestors samples, the last sampler of the prompt (one no other sampler follows).
 */
export function runSettings(prompt: ApiPrompt, outputNodeId?: string): RunSettings {
  const ids = Object.keys(prompt);
  const scope =
    outputNodeId !== undefined && Object.hasOwn(prompt, outputNodeId)
      ? upstream(prompt, [outputNodeId], everyInput)
      : ids;
  const feedsAnotherSampler = (id: string): boolean =>
    ids.some(
      (other) => other !== id && isSampler(prompt[other]!) && upstream(prompt, [other], everyInput).includes(id),
    );
  const samplers = scope.filter((id) => isSampler(prompt[id]!));
  const samplerId =
    outputNodeId !== undefined && samplers.length > 0
      ? samplers[0]
      : (samplers.find((id) => !feedsAnotherSampler(id)) ?? samplers[0]);

  if (samplerId === undefined) {
    const texts: string[] = [];
    for (const id of scope) addTexts(prompt, prompt[id]!, texts);
    return {
      positive: [],
      negative: [],
      texts,
      model: firstModel(prompt, scope),
      ...sizeOf(prompt, scope),
    };
  }
  const sampler = prompt[samplerId]!;
  // SamplerCustomAdvanced's prompts, cfg and model are its guider's (CFGGuider, BasicGuider, DualCFGGuider), its seed
  // its noise's; SamplerCustom's and its σ list's steps come from the nodes linked in.
  const guider = linkedNode(prompt, sampler, 'guider');
  const conditioned = guider ?? sampler;
  const noise = linkedNode(prompt, sampler, 'noise');
  const schedule = scheduleOf(prompt, sampler);
  const positiveTexts = ['positive', 'conditioning', 'cond1', 'cond2'].flatMap((name) =>
    textsOf(prompt, conditioned.inputs[name]),
  );
  const seed = numberOf(prompt, sampler, ['seed', 'noise_seed']) ?? (noise && numberOf(prompt, noise, ['noise_seed']));
  return {
    sampler: { id: samplerId, classType: sampler.class_type },
    positive: positiveTexts.filter((text, index) => positiveTexts.indexOf(text) === index),
    negative: textsOf(prompt, conditioned.inputs.negative),
    texts: [],
    seed,
    steps: numberOf(prompt, sampler, ['steps']) ?? schedule.steps,
    cfg: numberOf(prompt, conditioned, ['cfg', 'cfg_conds']),
    samplerName: samplerNameOf(prompt, sampler),
    scheduler: stringOf(prompt, sampler, 'scheduler') ?? schedule.scheduler,
    denoise: numberOf(prompt, sampler, ['denoise']) ?? schedule.denoise,
    model: firstModel(prompt, upstream(prompt, linkedFrom(prompt, conditioned, 'model'), everyInput)),
    ...sizeOf(
      prompt,
      upstream(prompt, linkedFrom(prompt, sampler, 'latent_image'), (input) => LATENT_INPUT.test(input)),
    ),
  };
}
