import type { UiOutput } from '../../../shared/protocol.js';

/**
 * The σ plot on a scheduler node: its run's σ list (the `sigmas` of its UI output) as the points of a small SVG
 * curve. Log scale, because schedules differ where σ is small (Karras, exponential and normal all look like one
 * L-shaped drop on a linear axis, while an exponential schedule is a straight line in log σ); a σ of 0, which log
 * cannot place, sits on a floor just below the smallest positive σ. Pure.
 */

export interface SigmaPlotData {
  readonly sigmas: readonly number[];
  /** Where a split node's low half starts, if the node split the list. */
  readonly split: number | undefined;
}

export interface PlotPoint {
  readonly x: number;
  readonly y: number;
}

export interface SigmaPlotGeometry {
  /** An SVG path through every σ, left to right. */
  readonly path: string;
  readonly points: readonly PlotPoint[];
  /** The point where the low half of a split starts. */
  readonly splitPoint: PlotPoint | undefined;
  /** The y of the floor where zeros are drawn, when the list has any. */
  readonly floorY: number | undefined;
}

export interface PlotBox {
  readonly width: number;
  readonly height: number;
  readonly padding: number;
  /** The gap between the floor (σ = 0) and the smallest positive σ. */
  readonly floorGap: number;
}

export const SIGMA_PLOT_BOX: PlotBox = { width: 200, height: 64, padding: 4, floorGap: 8 };

/** The σ list of a node's UI output, if it has one of finite numbers. */
export function sigmaPlotData(output: UiOutput | undefined): SigmaPlotData | undefined {
  const sigmas = output?.['sigmas'];
  if (!sigmas || sigmas.length === 0) return undefined;
  if (!sigmas.every((value): value is number => typeof value === 'number' && Number.isFinite(value))) return undefined;
  const split = output['split']?.[0];
  const inRange = typeof split === 'number' && Number.isInteger(split) && split >= 0 && split < sigmas.length;
  return { sigmas, split: inRange ? split : undefined };
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

export function sigmaPlotGeometry(
  sigmas: readonly number[],
  split: number | undefined,
  box: PlotBox = SIGMA_PLOT_BOX,
): SigmaPlotGeometry {
  const { width, height, padding, floorGap } = box;
  const positive = sigmas.filter((sigma) => sigma > 0);
  const hasFloor = positive.length < sigmas.length;
  const top = padding;
  const floorY = height - padding;
  const lowest = hasFloor ? floorY - floorGap : floorY;
  const logMax = Math.log(Math.max(...positive));
  const logMin = Math.log(Math.min(...positive));
  const span = logMax - logMin;
  const y = (sigma: number): number => {
    if (!(sigma > 0)) return floorY;
    // One distinct positive σ: drawn halfway, so a flat list reads as flat rather than pinned to an edge.
    if (span === 0) return (top + lowest) / 2;
    return top + ((logMax - Math.log(sigma)) / span) * (lowest - top);
  };
  const x = (index: number): number =>
    sigmas.length === 1 ? width / 2 : padding + (index / (sigmas.length - 1)) * (width - 2 * padding);
  const points = sigmas.map((sigma, index) => ({ x: round1(x(index)), y: round1(y(sigma)) }));
  const path = points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x} ${point.y}`).join(' ');
  return {
    path,
    points,
    splitPoint: split === undefined ? undefined : points[split],
    floorY: hasFloor ? floorY : undefined,
  };
}

/** A σ for a label: four significant digits, no exponent for the usual range, 0 as 0. */
export function formatSigma(sigma: number): string {
  if (sigma === 0) return '0';
  const magnitude = Math.abs(sigma);
  if (magnitude >= 1e-4 && magnitude < 1e5) return String(Number(sigma.toPrecision(4)));
  return sigma.toExponential(2);
}

/** The labels under the curve: steps (one fewer than the σ), first and last σ. */
export function sigmaPlotLabels(sigmas: readonly number[]): { steps: string; first: string; last: string } {
  return {
    steps: String(Math.max(sigmas.length - 1, 0)),
    first: formatSigma(sigmas[0] ?? 0),
    last: formatSigma(sigmas[sigmas.length - 1] ?? 0),
  };
}
