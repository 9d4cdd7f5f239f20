import { getBezierPath, Position, useInternalNode, type ConnectionLineComponentProps } from '@xyflow/react';
import { useAtomValue } from 'jotai';
import type { EditorNode } from '../../graph/types.js';
import { carriedWireAtom } from '../../state/carried-wire.js';

/**
 * The wire being dragged. A wire picked up from an input stays plugged into its output and follows the pointer from
 * there (as ComfyUI draws a moved link); any other runs from the handle the drag started at.
 */
export function ConnectionLine({
  fromX,
  fromY,
  fromPosition,
  toX,
  toY,
  toPosition,
  connectionLineStyle,
}: ConnectionLineComponentProps<EditorNode>) {
  const carried = useAtomValue(carriedWireAtom);
  const source = useInternalNode<EditorNode>(carried?.source ?? '');
  const handle = carried
    ? source?.internals.handleBounds?.source?.find((bounds) => bounds.id === carried.sourceHandle)
    : undefined;
  const from =
    source && handle
      ? {
          x: source.internals.positionAbsolute.x + handle.x + handle.width / 2,
          y: source.internals.positionAbsolute.y + handle.y + handle.height / 2,
          position: Position.Right,
          to: Position.Left,
        }
      : { x: fromX, y: fromY, position: fromPosition, to: toPosition };
  const [path] = getBezierPath({
    sourceX: from.x,
    sourceY: from.y,
    sourcePosition: from.position,
    targetX: toX,
    targetY: toY,
    targetPosition: from.to,
  });
  return <path d={path} fill="none" className="react-flow__connection-path" style={connectionLineStyle} />;
}
