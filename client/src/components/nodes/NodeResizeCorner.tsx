import { NodeResizeControl } from '@xyflow/react';
import { memo, useCallback, useState } from 'react';
import { useT } from '../../i18n/use-t.js';

/** The narrowest a node may be made: its widgets' labels and fields stay usable. */
export const MIN_NODE_WIDTH = 220;

/** The height a node's content takes, whatever the size its frame was given. */
function contentHeight(node: HTMLElement): number {
  const floor = node.style.minHeight;
  node.style.minHeight = '0px';
  const height = node.offsetHeight;
  node.style.minHeight = floor;
  return height;
}

/**
 * ComfyUI's resize corner at a node's bottom right. A resize is no smaller than the node's content at the moment it
 * starts, so no widget, socket or image is ever cut; each resize is one undo step (node-changes.ts).
 */
export const NodeResizeCorner = memo(function NodeResizeCorner() {
  const t = useT();
  const [minHeight, setMinHeight] = useState(40);
  // Measured as the pointer comes onto the corner, before the drag: a new floor restarts React Flow's resizer.
  const measure = useCallback((event: React.PointerEvent<SVGSVGElement>) => {
    const node = event.currentTarget.closest('.react-flow__node')?.querySelector<HTMLElement>('.ink-node');
    if (node) setMinHeight(contentHeight(node));
  }, []);
  return (
    <NodeResizeControl
      position="bottom-right"
      minWidth={MIN_NODE_WIDTH}
      minHeight={minHeight}
      className="node-resize-corner"
      // Drawn at the node's own scale, as ComfyUI's corner: no re-render of every node's corner on each zoom step.
      autoScale={false}
    >
      <svg width="14" height="14" viewBox="0 0 14 14" role="img" aria-label={t('resizeNode')} onPointerEnter={measure}>
        <title>{t('resizeNode')}</title>
        <path d="M13 4v9H4z" fill="currentColor" />
      </svg>
    </NodeResizeControl>
  );
});
