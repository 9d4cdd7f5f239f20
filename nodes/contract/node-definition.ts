import type { UiOutput } from '../../shared/protocol.js';
import type { SocketTypeName, SocketTypes } from './socket-types.js';
import { NO_MEMORY, type NodeMemory, type SocketShapes } from './memory.js';
import type { EstimateContext, NodeContext, NodeEnvironment } from './node-context.js';

export interface Translation {
  display_name?: string;
  description?: string;
  category?: string;
  inputs?: Record<string, string>;
  outputs?: string[];
  /** Each input's tooltip in this language, keyed like `inputs`. */
  tooltips?: Record<string, string>;
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
  /** 'color' shows the value as a 0xRRGGBB colour, as ComfyUI's EmptyImage asks for its `color`. */
  readonly display?: 'number' | 'slider' | 'color';
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
/**
 * A choice among strings. Fixed options declared as literals (inline, or a constant `as const`) give `run` their
 * union; options read from the environment (e.g. files in a folder) each time they are asked for stay `string`.
 */
export interface ComboInput<T extends string = string> extends InputBase {
  readonly kind: 'COMBO';
  readonly options: readonly T[] | ((env: NodeEnvironment) => readonly T[]);
  readonly default?: NoInfer<T>;
  readonly imageUpload?: boolean;
  readonly imageFolder?: 'input' | 'output' | 'temp';
}
export interface SocketInput<T extends SocketTypeName = SocketTypeName> extends InputBase {
  readonly kind: 'SOCKET';
  readonly type: T;
}

export type InputDefinition = IntInput | FloatInput | StringInput | BooleanInput | ComboInput | SocketInput;

export interface OutputDefinition<T extends SocketTypeName = SocketTypeName> {
  readonly type: T;
  readonly name?: string;
  readonly tooltip?: string;
}

type ValueOfInput<D> = D extends IntInput | FloatInput
  ? number
  : D extends StringInput
    ? string
    : D extends ComboInput<infer T>
      ? T
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

type EstimateValueOfInput<D> =
  D extends SocketInput<infer T>
    ? (T extends keyof SocketShapes ? SocketShapes[T] : never) | undefined
    : ValueOfInput<D> | undefined;

/** What a node's memory estimate receives: widget values, and for linked inputs the shape upstream, when known. */
export type EstimateValues<I extends Record<string, InputDefinition>> = { [K in keyof I]: EstimateValueOfInput<I[K]> };

export type OutputValues<O extends readonly OutputDefinition[]> = {
  [K in keyof O]: O[K] extends OutputDefinition<infer T> ? SocketTypes[T] : never;
};

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
  /** ComfyUI's DEPRECATED: kept so old workflows run, marked so in `/object_info`. */
  readonly deprecated?: boolean;
  /** Hidden inputs, for `/object_info` parity (the engine hands their values to every node through `ctx`). */
  readonly hidden?: Readonly<Record<string, 'PROMPT' | 'EXTRA_PNGINFO' | 'UNIQUE_ID'>>;
  readonly translations?: Readonly<Record<string, Translation>>;
  /** Extra checks on constant inputs (ComfyUI's VALIDATE_INPUTS): a reason when they fail. */
  readonly validate?: (inputs: Partial<InputValues<I>>, env: NodeEnvironment) => string | undefined;
  /** What makes the node's result change besides its inputs (ComfyUI's IS_CHANGED), e.g. a file's hash. */
  readonly fingerprint?: (inputs: Partial<InputValues<I>>, env: NodeEnvironment) => string | Promise<string>;
  /**
   * The memory it will need, from its inputs' shapes (nodes/memory.ts): its outputs' shapes, its working memory and
   * the models it loads. Absent: it holds nothing worth counting, and its outputs' shapes are unknown downstream.
   */
  readonly estimate?: (inputs: EstimateValues<I>, ctx: EstimateContext) => NodeMemory;
  /** Synchronous or asynchronous: the engine awaits either. */
  readonly run: (inputs: InputValues<I>, ctx: NodeContext) => NodeResult<O> | Promise<NodeResult<O>>;
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
  readonly deprecated: boolean;
  readonly hidden: Readonly<Record<string, string>>;
  readonly translations: Readonly<Record<string, Translation>>;
  validate(inputs: Readonly<Record<string, unknown>>, env: NodeEnvironment): string | undefined;
  fingerprint(inputs: Readonly<Record<string, unknown>>, env: NodeEnvironment): Promise<string | undefined>;
  /** Given widget values and upstream shapes (the estimator passes only shapes of each input's socket type). */
  estimate(inputs: Readonly<Record<string, unknown>>, ctx: EstimateContext): NodeMemory;
  run(
    inputs: Readonly<Record<string, unknown>>,
    ctx: NodeContext,
  ): Promise<{ outputs: readonly unknown[]; ui?: UiOutput }>;
}

/** Every node class by its class_type. */
export type NodeRegistry = ReadonlyMap<string, NodeClass>;

/**
 * Declares a node once: its inputs, widgets and outputs drive `/object_info`, validation and the editor.
 * The engine validates every input against these declarations before `run` is called, so `run` receives
 * exactly the typed values it declares.
 */
export function defineNode<
  const I extends Record<string, InputDefinition>,
  const O extends readonly OutputDefinition[],
>(definition: NodeDefinition<I, O>): NodeClass {
  return {
    classType: definition.classType,
    displayName: definition.displayName,
    category: definition.category,
    description: definition.description,
    inputs: definition.inputs,
    outputs: definition.outputs,
    outputNode: definition.outputNode ?? false,
    deprecated: definition.deprecated ?? false,
    hidden: definition.hidden ?? {},
    translations: definition.translations ?? {},
    validate: (inputs, env) => definition.validate?.(inputs as Partial<InputValues<I>>, env),
    fingerprint: async (inputs, env) => await definition.fingerprint?.(inputs as Partial<InputValues<I>>, env),
    estimate: (inputs, ctx) =>
      definition.estimate ? definition.estimate(inputs as EstimateValues<I>, ctx) : NO_MEMORY,
    run: async (inputs, ctx) => {
      const result = await definition.run(inputs as InputValues<I>, ctx);
      return { outputs: result.outputs, ...(result.ui ? { ui: result.ui } : {}) };
    },
  };
}
