import { Handle, Position } from '@xyflow/react';
import { memo } from 'react';

/** A routing point: one input, one output, the type of whatever feeds it. */
export const RerouteNodeView = memo(function RerouteNodeView() {
  return (
    <div className="reroute-node">
      <Handle type="target" position={Position.Left} id="in" />
      <Handle type="source" position={Position.Right} id="out" />
    </div>
  );
});
