import { Panel, useReactFlow, useStore } from '@xyflow/react';
import { useAtomValue } from 'jotai';
import { memo, useEffect, useMemo, useRef } from 'react';
import { centredOn, fromMinimap, minimapMapping, toMinimap, visibleFlowRect } from '../../graph/minimap.js';
import { graphBounds, nodeRect } from '../../graph/readable-view.js';
import { useT } from '../../i18n/use-t.js';
import { graphAtom } from '../../state/atoms.js';

const SIZE = { width: 200, height: 150 };
const ZOOM_STEP = 1.2;

/**
 * The minimap: the nodes drawn once on a canvas whenever the graph changes, and the view's frame as a box moved on
 * every frame. React Flow's SVG minimap repainted every node's rectangle on each frame of a pan, which alone held a
 * 500-node graph to 30 fps. Drag or click to move the view; the wheel zooms.
 */
export const CanvasMiniMap = memo(function CanvasMiniMap() {
  const t = useT();
  const nodes = useAtomValue(graphAtom).nodes;
  const [x, y, zoom] = useStore((state) => state.transform);
  const screen = { width: useStore((state) => state.width), height: useStore((state) => state.height) };
  const { setViewport, getViewport } = useReactFlow();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const bounds = useMemo(() => graphBounds(nodes), [nodes]);
  const mapping = useMemo(() => (bounds ? minimapMapping(bounds, SIZE) : undefined), [bounds]);

  useEffect(() => {
    const context = canvasRef.current?.getContext('2d');
    if (!context || !canvasRef.current) return;
    const ratio = window.devicePixelRatio || 1;
    canvasRef.current.width = SIZE.width * ratio;
    canvasRef.current.height = SIZE.height * ratio;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, SIZE.width, SIZE.height);
    if (!mapping) return;
    const style = getComputedStyle(canvasRef.current);
    const fill = style.getPropertyValue('--minimap-node').trim() || '#999';
    for (const node of nodes) {
      if (node.parentId) continue;
      const rect = toMinimap(nodeRect(node), mapping);
      if (node.type === 'group') {
        context.strokeStyle = fill;
        context.strokeRect(rect.x, rect.y, rect.width, rect.height);
      } else {
        context.fillStyle = node.type === 'ink' && node.data.color ? node.data.color : fill;
        context.fillRect(rect.x, rect.y, Math.max(1, rect.width), Math.max(1, rect.height));
      }
    }
  }, [mapping, nodes]);

  const frame = mapping ? toMinimap(visibleFlowRect({ x, y, zoom }, screen), mapping) : undefined;

  /** Centres the view on the flow point under the pointer. */
  const moveTo = (event: React.PointerEvent<HTMLDivElement>) => {
    if (!mapping) return;
    const box = event.currentTarget.getBoundingClientRect();
    const point = fromMinimap({ x: event.clientX - box.left, y: event.clientY - box.top }, mapping);
    void setViewport(centredOn(point, getViewport().zoom, screen));
  };

  return (
    <Panel position="bottom-right">
      <div
        className="ink-minimap"
        role="img"
        aria-label={t('aria.minimap')}
        data-testid="minimap"
        style={SIZE}
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          moveTo(event);
        }}
        onPointerMove={(event) => {
          if (event.currentTarget.hasPointerCapture(event.pointerId)) moveTo(event);
        }}
        onWheel={(event) => {
          const current = getViewport();
          const next = current.zoom * (event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP);
          const centre = visibleFlowRect(current, screen);
          void setViewport(
            centredOn(
              { x: centre.x + centre.width / 2, y: centre.y + centre.height / 2 },
              Math.min(4, Math.max(0.1, next)),
              screen,
            ),
          );
        }}
      >
        <canvas ref={canvasRef} style={SIZE} />
        {frame && (
          <div
            className="ink-minimap-frame"
            style={{ transform: `translate(${frame.x}px, ${frame.y}px)`, width: frame.width, height: frame.height }}
          />
        )}
      </div>
    </Panel>
  );
});
