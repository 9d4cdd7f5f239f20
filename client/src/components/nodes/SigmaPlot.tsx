import { memo, useMemo } from 'react';
import { SIGMA_PLOT_BOX, sigmaPlotGeometry, sigmaPlotLabels, type SigmaPlotData } from '../../graph/sigma-plot.js';
import { useT } from '../../i18n/use-t.js';

// Styled here rather than in styles.css: the plot is one small self-contained figure, drawn in the theme's colours.
const FIGURE_STYLE = { margin: '6px 8px 0' } as const;
const SVG_STYLE = {
  display: 'block',
  width: '100%',
  height: SIGMA_PLOT_BOX.height,
  border: '1px solid var(--border)',
  borderRadius: 6,
} as const;
const LABELS_STYLE = {
  display: 'flex',
  justifyContent: 'space-between',
  gap: 6,
  fontSize: 11,
  color: 'var(--muted)',
  fontVariantNumeric: 'tabular-nums',
} as const;

/** A node's σ list as a small curve (log σ against step), with the step count and the first and last σ. */
export const SigmaPlot = memo(function SigmaPlot({ nodeId, plot }: { nodeId: string; plot: SigmaPlotData }) {
  const t = useT();
  // The list is the run output's own array: its identity changes only with a new run.
  const geometry = useMemo(() => sigmaPlotGeometry(plot.sigmas, plot.split), [plot.sigmas, plot.split]);
  const labels = sigmaPlotLabels(plot.sigmas);
  const description =
    t('sigmaPlot.label', labels) +
    (plot.split !== undefined ? ` · ${t('sigmaPlot.split', { step: String(plot.split) })}` : '');
  const { width, height, padding } = SIGMA_PLOT_BOX;
  // Dots only while they stay apart; a long schedule reads as its curve.
  const dots = geometry.points.length <= 60;
  return (
    <figure className="sigma-plot" style={FIGURE_STYLE} title={description} data-testid={`sigma-plot-${nodeId}`}>
      <svg
        role="img"
        aria-label={description}
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        style={SVG_STYLE}
      >
        {geometry.floorY !== undefined && (
          <line
            x1={padding}
            x2={width - padding}
            y1={geometry.floorY}
            y2={geometry.floorY}
            stroke="var(--border)"
            strokeDasharray="3 3"
            vectorEffect="non-scaling-stroke"
          />
        )}
        <path
          d={geometry.path}
          fill="none"
          stroke="var(--accent)"
          strokeWidth={1.5}
          strokeLinejoin="round"
          vectorEffect="non-scaling-stroke"
        />
        {dots &&
          geometry.points.map((point, index) => (
            <line
              key={index}
              x1={point.x}
              x2={point.x}
              y1={point.y}
              y2={point.y}
              stroke="var(--accent)"
              strokeWidth={4}
              strokeLinecap="round"
              vectorEffect="non-scaling-stroke"
            />
          ))}
        {geometry.splitPoint && (
          <line
            x1={geometry.splitPoint.x}
            x2={geometry.splitPoint.x}
            y1={padding}
            y2={height - padding}
            stroke="var(--error)"
            strokeDasharray="2 2"
            vectorEffect="non-scaling-stroke"
            data-testid={`sigma-split-${nodeId}`}
          />
        )}
      </svg>
      <figcaption style={LABELS_STYLE}>
        <span data-testid={`sigma-first-${nodeId}`}>σ {labels.first}</span>
        <span data-testid={`sigma-steps-${nodeId}`}>{t('sigmaPlot.steps', { steps: labels.steps })}</span>
        <span data-testid={`sigma-last-${nodeId}`}>σ {labels.last}</span>
      </figcaption>
    </figure>
  );
});
