import type { ImageBatch } from '../../contract/socket-types.js';
import type { InputInfo } from '../onnx/session.js';

/** What ControlNet nodes put on conditionings (controlnet.ts), apart so the conditioning types can name it. */

export interface ControlNetModel {
  readonly name: string;
  readonly path: string;
  /** The residual outputs, down blocks in order, then the mid block. */
  readonly downOutputs: readonly string[];
  readonly midOutput: string;
}

/** A ControlNet applied to a conditioning (ComfyUI's ControlNet object after set_cond_hint). */
export interface AppliedControl {
  readonly net: ControlNetModel;
  /** The hint, [B, H, W, C] as IMAGE carries it. */
  readonly hint: ImageBatch;
  readonly strength: number;
  readonly startPercent: number;
  readonly endPercent: number;
  /** The ControlNet this one was applied on top of (its outputs are added). */
  readonly previous: AppliedControl | undefined;
}

export interface ResidualInputs {
  readonly down: readonly InputInfo[];
  readonly mid: InputInfo;
  /** Each input's depth, down ones then the mid one (residualLevels), for the zeros fed when no ControlNet runs. */
  readonly levels: readonly number[];
}
