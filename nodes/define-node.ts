import type { InputOptions } from '../shared/node-spec.js';
import type { UiOutput } from '../shared/protocol.js';
import type { ApiPrompt } from '../shared/workflow.js';
import type { SocketTypeName, SocketTypes } from './socket-types.js';
import type { LatentRgb } from './runtime/diffusion/types.js';
import { NO_MEMORY, type NodeMemory, type SocketShapes } from './memory.js';
import type { ImageLimits } from './runtime/image-limits.js';

/** Where a node may find and put files. Every path here is absolute. */
export interface NodeEnvironment {
  readonly inputDir: string;
  readonly outputDir: string;
  readonly tempDir: string;
  readonly modelsDir: string;
  /** Pixel and text-inflation limits for images read from files (LoadImage); the defaults where absent. */
  readonly imageLimits?: ImageLimits;
}

export interface Translation {
  display_name?: string;
  description?: string;
  category?: string;
  inputs?: Record<string, string>;
  outputs?: string[];
}

interface InputBase {
  readonly optional?: boolean;
  readonly tooltip?: string;
  /** Show as a socket rather than a widget (ComfyUI's forceInput). */
  readonly forceInput?: boolean;
}

export interface IntInput extends InputBase {
  readonly kind: 'INT';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  readonly display?: 'number' | 'slider';
  readonly controlAfterGenerate?: boolean;
}
export interface FloatInput extends InputBase {
  readonly kind: 'FLOAT';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  readonly round?: number | false;
  readonly display?: 'number' | 'slider';
}
export interface StringInput extends InputBase {
  readonly kind: 'STRING';
  readonly default?: string;
  readonly multiline?: boolean;
  readonly placeholder?: string;
  readonly dynamicPrompts?: boolean;
}
export interface BooleanInput extends InputBase {
  readonly kind: 'BOOLEAN';
  readonly default: boolean;
  readonly labelOn?: string;
  readonly labelOff?: string;
}
export interface ComboInput extends InputBase {
  readonly kind: 'COMBO';
  /** Fixed options, or options read from the environment (e.g. files in a folder) each time they are asked for. */
  readonly options: readonly string[] | ((env: NodeEnvironment) => readonly string[]);
  readonly default?: string;
  readonly imageUpload?: boolean;
  readonly imageFolder?: 'input' | 'output' | 'temp';
}
export interface SocketInput<T extends SocketTypeName = SocketTypeName> extends InputBase {
  readonly kind: 'SOCKET';
  readonly type: T;
}

export type InputDefinition = IntInput | FloatInput | StringInput | BooleanInput | ComboInput | SocketInput;
export type WidgetInputDefinition = Exclude<InputDefinition, SocketInput>;

export interface OutputDefinition<T extends SocketTypeName = SocketTypeName> {
  readonly type: T;
  readonly name?: string;
  readonly tooltip?: string;
}

type ValueOfInput<D> = D extends IntInput | FloatInput
  ? number
  : D extends StringInput | ComboInput
    ? string
    : D extends BooleanInput
      ? boolean
      : D extends SocketInput<infer T>
        ? SocketTypes[T]
        : never;

type RequiredKeys<I> = { [K in keyof I]: I[K] extends { optional: true } ? never : K }[keyof I];
type OptionalKeys<I> = Exclude<keyof I, RequiredKeys<I>>;

/** The typed inputs a node's run receives. */
export type InputValues<I extends Record<string, InputDefinition>> = { [K in RequiredKeys<I>]: ValueOfInput<I[K]> } & {
  [K in OptionalKeys<I>]?: ValueOfInput<I[K]>;
};

type EstimateValueOfInput<D> = D extends SocketInput<infer T> ? (T extends keyof SocketShapes ? SocketShapes[T] : never) | undefined : ValueOfInput<D> | undefined;

/** What a memory estimate may read besides the node's inputs. */
export interface EstimateContext {
  readonly env: NodeEnvironment;
  /** The job's memory budget (--max-memory): model calls are split to fit a share of it. */
  readonly memoryBudgetBytes: number;
}

/** What a node's memory estimate receives: widget values, and for linked inputs the shape upstream, when known. */
export type EstimateValues<I extends Record<string, InputDefinition>> = { [K in keyof I]: EstimateValueOfInput<I[K]> };

export type OutputValues<O extends readonly OutputDefinition[]> = { [K in keyof O]: O[K] extends OutputDefinition<infer T> ? SocketTypes[T] : never };

export interface PreviewImage {
  /** RGB or RGBA 8-bit pixels at any size; the engine scales and encodes them. */
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly data: Uint8Array;
}

/**
 * A step preview still in latent space (one item of a model-space x0) with the model's Latent2RGB factors: it
 * becomes pixels off the engine's thread, and only when some client will receive it.
 */
export interface LatentPreview {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
  readonly latentRgb: LatentRgb;
}

export interface ProgressUpdate {
  readonly value: number;
  readonly max: number;
  /** A step preview: sent as JPEG, long side at most 512 px, unless the preview method is "none". */
  readonly preview?: PreviewImage;
  /** A step preview as a latent (Latent2RGB), sent like `preview`. */
  readonly latentPreview?: LatentPreview;
  /** A full-size image sent as a PNG frame whatever the preview method (ComfyUI's SaveImageWebsocket). */
  readonly image?: PreviewImage;
}

/** Caches that live across runs (model sessions, tokenizers), shared by all nodes. */
export interface SharedCaches {
  getOrCreate<T>(key: string, create: () => Promise<T>, dispose?: (value: T) => Promise<void> | void): Promise<T>;
  clear(): Promise<void>;
}

export type PreviewMethod = 'none' | 'latent2rgb' | 'vae';

export interface NodeContext {
  readonly nodeId: string;
  readonly promptId: string;
  readonly signal: AbortSignal;
  readonly env: NodeEnvironment;
  readonly caches: SharedCaches;
  /** The prompt as queued (after validation's coercions), for metadata. */
  readonly prompt: ApiPrompt;
  readonly extraPngInfo: Readonly<Record<string, unknown>> | undefined;
  readonly previewMethod: PreviewMethod;
  readonly previewEvery: number;
  /** The job's memory budget (--max-memory): model calls are split to fit a share of it, as the estimate assumed. */
  readonly memoryBudgetBytes: number;
  /** Reports progress; a point where an interrupt takes effect (throws when the run was interrupted). */
  progress(update: ProgressUpdate): void;
  throwIfInterrupted(): void;
}

export interface NodeResult<O extends readonly OutputDefinition[]> {
  readonly outputs: OutputValues<O>;
  readonly ui?: UiOutput;
}

export interface NodeDefinition<I extends Record<string, InputDefinition>, O extends readonly OutputDefinition[]> {
  readonly classType: string;
  readonly displayName: string;
  readonly category: string;
  readonly description: string;
  readonly inputs: I;
  readonly outputs: O;
  readonly outputNode?: boolean;
  /** Hidden inputs, for `/object_info` parity (the engine hands their values to every node through `ctx`). */
  readonly hidden?: Readonly<Record<string, 'PROMPT' | 'EXTRA_PNGINFO' | 'UNIQUE_ID'>>;
  readonly translations?: Readonly<Record<string, Translation>>;
  /** Extra checks on constant inputs (ComfyUI's VALIDATE_INPUTS): a reason when they fail. */
  readonly validate?: (inputs: Partial<InputValues<I>>, env: NodeEnvironment) => string | undefined;
  /** What makes the node's result change besides its inputs (ComfyUI's IS_CHANGED), e.g. a file's hash. */
  readonly fingerprint?: (inputs: Partial<InputValues<I>>, env: NodeEnvironment) => Promise<string>;
  /**
   * The memory it will need, from its inputs' shapes (nodes/memory.ts): its outputs' shapes, its working memory and
   * the models it loads. Absent: it holds nothing worth counting, and its outputs' shapes are unknown downstream.
   */
  readonly estimate?: (inputs: EstimateValues<I>, ctx: EstimateContext) => NodeMemory;
  readonly run: (inputs: InputValues<I>, ctx: NodeContext) => Promise<NodeResult<O>>;
}

/** A node definition with its types erased, as the registry and engine hold it. */
export interface NodeClass {
  readonly classType: string;
  readonly displayName: string;
  readonly category: string;
  readonly description: string;
  readonly inputs: Readonly<Record<string, InputDefinition>>;
  readonly outputs: readonly OutputDefinition[];
  readonly outputNode: boolean;
  readonly hidden: Readonly<Record<string, string>>;
  readonly translations: Readonly<Record<string, Translation>>;
  validate(inputs: Readonly<Record<string, unknown>>, env: NodeEnvironment): string | undefined;
  fingerprint(inputs: Readonly<Record<string, unknown>>, env: NodeEnvironment): Promise<string | undefined>;
  /** Given widget values and upstream shapes (the estimator passes only shapes of each input's socket type). */
  estimate(inputs: Readonly<Record<string, unknown>>, ctx: EstimateContext): NodeMemory;
  run(inputs: Readonly<Record<string, unknown>>, ctx: NodeContext): Promise<{ outputs: readonly unknown[]; ui?: UiOutput }>;
}

/**
 * Declares a node once: its inputs, widgets and outputs drive `/object_info`, validation and the editor.
 * The engine validates every input against these declarations before `run` is called, so `run` receives
 * exactly the typed values it declares.
 */
export function defineNode<const I extends Record<string, InputDefinition>, const O extends readonly OutputDefinition[]>(
  definition: NodeDefinition<I, O>,
): NodeClass {
  return {
    classType: definition.classType,
    displayName: definition.displayName,
    category: definition.category,
    description: definition.description,
    inputs: definition.inputs,
    outputs: definition.outputs,
    outputNode: definition.outputNode ?? false,
    hidden: definition.hidden ?? {},
    translations: definition.translations ?? {},
    validate: (inputs, env) => definition.validate?.(inputs as Partial<InputValues<I>>, env),
    fingerprint: async (inputs, env) => definition.fingerprint?.(inputs as Partial<InputValues<I>>, env),
    estimate: (inputs, ctx) => (definition.estimate ? definition.estimate(inputs as EstimateValues<I>, ctx) : NO_MEMORY),
    run: async (inputs, ctx) => {
      const result = await definition.run(inputs as InputValues<I>, ctx);
      return { outputs: result.outputs as readonly unknown[], ...(result.ui ? { ui: result.ui } : {}) };
    },
  };
}

export function isWidgetInput(input: InputDefinition): input is WidgetInputDefinition {
  return input.kind !== 'SOCKET';
}

/** The type name an input has in `/object_info` and in link type checks. */
export function inputTypeName(input: InputDefinition): string {
  return input.kind === 'SOCKET' ? input.type : input.kind;
}

export function comboOptions(input: ComboInput, env: NodeEnvironment): readonly string[] {
  return typeof input.options === 'function' ? input.options(env) : input.options;
}

/** `[type, options]` as ComfyUI serves it. Combos use the legacy list form, which every client understands. */
export function toInputSpec(input: InputDefinition, env: NodeEnvironment): [string | string[], InputOptions] {
  const common: InputOptions = {};
  if (input.tooltip !== undefined) common.tooltip = input.tooltip;
  if (input.forceInput) common.forceInput = true;
  switch (input.kind) {
    case 'INT':
      return [
        'INT',
        {
          ...common,
          default: input.default,
          ...(input.min !== undefined ? { min: input.min } : {}),
          ...(input.max !== undefined ? { max: input.max } : {}),
          step: input.step ?? 1,
          ...(input.display ? { display: input.display } : {}),
          ...(input.controlAfterGenerate ? { control_after_generate: true } : {}),
        },
      ];
    case 'FLOAT':
      return [
        'FLOAT',
        {
          ...common,
          default: input.default,
          ...(input.min !== undefined ? { min: input.min } : {}),
          ...(input.max !== undefined ? { max: input.max } : {}),
          step: input.step ?? 0.01,
          ...(input.round !== undefined ? { round: input.round } : {}),
          ...(input.display ? { display: input.display } : {}),
        },
      ];
    case 'STRING':
      return [
        'STRING',
        {
          ...common,
          default: input.default ?? '',
          ...(input.multiline ? { multiline: true } : {}),
          ...(input.placeholder !== undefined ? { placeholder: input.placeholder } : {}),
          ...(input.dynamicPrompts !== undefined ? { dynamicPrompts: input.dynamicPrompts } : {}),
        },
      ];
    case 'BOOLEAN':
      return [
        'BOOLEAN',
        {
          ...common,
          default: input.default,
          ...(input.labelOn !== undefined ? { label_on: input.labelOn } : {}),
          ...(input.labelOff !== undefined ? { label_off: input.labelOff } : {}),
        },
      ];
    case 'COMBO': {
      const options = [...comboOptions(input, env)];
      return [
        options,
        {
          ...common,
          ...(input.default !== undefined ? { default: input.default } : {}),
          ...(input.imageUpload ? { image_upload: true } : {}),
          ...(input.imageFolder ? { image_folder: input.imageFolder } : {}),
        },
      ];
    }
    case 'SOCKET':
      return [input.type, common];
  }
}
