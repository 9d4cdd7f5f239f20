import { describe, expect, it } from 'vitest';
import {
  formatSigma,
  sigmaPlotData,
  sigmaPlotGeometry,
  sigmaPlotLabels,
  type PlotBox,
} from '../../client/src/graph/sigma-plot.js';
import { translate } from '../../client/src/i18n/messages.js';

const box: PlotBox = { width: 100, height: 50, padding: 5, floorGap: 10 };

describe('the σ of a node’s UI output', () => {
  it('is read when it is a list of finite numbers, with a split index in range', () => {
    expect(sigmaPlotData({ sigmas: [3, 1, 0] })).toEqual({ sigmas: [3, 1, 0], split: undefined });
    expect(sigmaPlotData({ sigmas: [3, 1, 0], split: [1] })).toEqual({ sigmas: [3, 1, 0], split: 1 });
    expect(sigmaPlotData({ sigmas: [3, 1, 0], split: [3] })?.split).toBeUndefined();
    expect(sigmaPlotData({ sigmas: [3, 1, 0], split: ['1'] })?.split).toBeUndefined();
  });

  it('is absent for other outputs, empty lists and lists with anything but numbers', () => {
    expect(sigmaPlotData(undefined)).toBeUndefined();
    expect(sigmaPlotData({ images: [] })).toBeUndefined();
    expect(sigmaPlotData({ sigmas: [] })).toBeUndefined();
    expect(sigmaPlotData({ sigmas: [1, '0.5'] })).toBeUndefined();
    expect(sigmaPlotData({ sigmas: [1, Number.NaN] })).toBeUndefined();
  });
});

describe('the σ plot geometry', () => {
  it('spreads the steps across the width and σ down the height in log scale', () => {
    // 100, 10, 1: equal steps in log σ, so equal steps in y.
    const { points, path, floorY } = sigmaPlotGeometry([100, 10, 1], undefined, box);
    expect(points).toEqual([
      { x: 5, y: 5 },
      { x: 50, y: 25 },
      { x: 95, y: 45 },
    ]);
    expect(path).toBe('M5 5 L50 25 L95 45');
    expect(floorY).toBeUndefined();
  });

  it('puts a σ of 0 on a floor below the smallest positive σ', () => {
    const { points, floorY } = sigmaPlotGeometry([10, 1, 0], undefined, box);
    expect(floorY).toBe(45);
    expect(points.map((point) => point.y)).toEqual([5, 35, 45]);
  });

  it('draws a rising (flipped) list rising, and a flat or single σ halfway', () => {
    expect(sigmaPlotGeometry([0.1, 1, 10], undefined, box).points.map((point) => point.y)).toEqual([45, 25, 5]);
    expect(sigmaPlotGeometry([2, 2], undefined, box).points.map((point) => point.y)).toEqual([25, 25]);
    expect(sigmaPlotGeometry([7], undefined, box).points).toEqual([{ x: 50, y: 25 }]);
    expect(sigmaPlotGeometry([0, 0], undefined, box).points.map((point) => point.y)).toEqual([45, 45]);
  });

  it('marks where a split’s low half starts', () => {
    expect(sigmaPlotGeometry([8, 4, 2, 1, 0], 2, box).splitPoint).toEqual({ x: 50, y: 25 });
  });
});

describe('the σ plot labels', () => {
  it('give the step count and the first and last σ to four digits', () => {
    expect(sigmaPlotLabels([14.614641229, 1.2345678, 0.0291675, 0])).toEqual({ steps: '3', first: '14.61', last: '0' });
    expect(formatSigma(0.0291675)).toBe('0.02917');
    expect(formatSigma(700)).toBe('700');
    expect(formatSigma(1e-6)).toBe('1.00e-6');
  });

  it('read in English and Chinese', () => {
    const labels = { steps: '20', first: '14.61', last: '0' };
    expect(translate('en', 'sigmaPlot.label', labels)).toBe('Noise levels (σ): 20 steps, from 14.61 to 0');
    expect(translate('zh-CN', 'sigmaPlot.label', labels)).toBe('噪声水平（σ）：20 步，从 14.61 到 0');
    expect(translate('zh-CN', 'sigmaPlot.steps', labels)).toBe('20 步');
  });
});
