import { Handle, Position, useNodeConnections } from '@xyflow/react';
import { memo, useMemo } from 'react';
import { outputHandle } from '../../graph/types.js';
import { typeColor } from '../type-colors.js';

/** Below this zoom a node's 13 px text is under 6 px on screen: nodes draw as {@link FarNodeView}. */
export const FAR_ZOOM = 0.45;

interface FarNodeProps {
  readonly id: string;
  readonly className: string;
  readonly classType: string;
  readonly title: string;
  /** Every input the node has (sockets, then widgets), in order. */
  readonly inputs: readonly { readonly name: string; readonly type: string }[];
  readonly outputs: readonly string[];
  /** The inputs that have a wire. */
  readonly connectedInputs: ReadonlySet<string | null>;
}

/**
 * A node zoomed far out: its title, and handles only where wires end (the wires need them to be drawn). Each handle
 * subscribes to React Flow's store, which changes on every frame of a pan, so a 500-node canvas drawing all of them
 * spent most of a frame re-checking handles nobody can see or use at that size.
 */
export const FarNodeView = memo(function FarNodeView(props: FarNodeProps) {
  const sourceConnections = useNodeConnections({ handleType: 'source' });
  const connectedOutputs = useMemo(
    () => new Set(sourceConnections.map((connection) => connection.sourceHandle)),
    [sourceConnections],
  );
  return (
    <div className={props.className} data-testid={`node-${props.id}`} data-class={props.classType}>
      <div className="node-header">
        <span className="node-title">{props.title}</span>
      </div>
      {props.inputs.map((field, index) =>
        props.connectedInputs.has(field.name) ? (
          <Handle
            key={field.name}
            type="target"
            position={Position.Left}
            id={field.name}
            style={{ top: 12 + index * 4, background: typeColor(field.type) }}
          />
        ) : null,
      )}
      {props.outputs.map((type, index) =>
        connectedOutputs.has(outputHandle(index)) ? (
          <Handle
            key={index}
            type="source"
            position={Position.Right}
            id={outputHandle(index)}
            style={{ top: 12 + index * 4, background: typeColor(type) }}
          />
        ) : null,
      )}
    </div>
  );
});
