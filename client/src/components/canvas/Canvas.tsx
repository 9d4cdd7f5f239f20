import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeChange,
  type NodeTypes,
} from '@xyflow/react';
import { applyEdgeChanges, applyNodeChanges } from '@xyflow/react';
import { useAtomValue, useSetAtom } from 'jotai';
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import type { NodeInfo } from '../../../../shared/node-spec.js';
import { inputType, outputType, typesConnect, validateConnection } from '../../graph/connection-rules.js';
import { groupKeys } from '../../graph/history.js';
import { createNode, nextNodeId, nodeInputs } from '../../graph/node-factory.js';
import { readPngTextChunks, workflowFromPngText } from '../../graph/png-metadata.js';
import { outputHandle, type EditorEdge, type EditorGraph, type EditorNode } from '../../graph/types.js';
import { useT } from '../../i18n/use-t.js';
import { useEditorActions } from '../../state/actions.js';
import { graphAtom, objectInfoAtom, showToastAtom, themeAtom, updateGraphAtom } from '../../state/atoms.js';
import { GroupNodeView } from '../nodes/GroupNodeView.js';
import { InkNodeView } from '../nodes/InkNodeView.js';
import { RerouteNodeView } from '../nodes/RerouteNodeView.js';
import { NodeSearch, type NodeSearchRequest } from './NodeSearch.js';

const nodeTypes: NodeTypes = { ink: InkNodeView, reroute: RerouteNodeView, group: GroupNodeView };

function edgeFor(connection: Connection): EditorEdge {
  return {
    id: `${connection.source}:${connection.sourceHandle}->${connection.target}:${connection.targetHandle}`,
    ...connection,
  };
}

/** Adds an edge, replacing whatever fed that input before. */
export function connect(graph: EditorGraph, connection: Connection): EditorGraph {
  const edges = graph.edges.filter(
    (edge) => !(edge.target === connection.target && edge.targetHandle === connection.targetHandle),
  );
  return { ...graph, edges: [...edges, edgeFor(connection)] };
}

/** Splits a wire with a reroute point: source → reroute → target. */
export function insertReroute(
  graph: EditorGraph,
  edge: EditorEdge,
  position: { x: number; y: number },
  id: string,
): EditorGraph {
  const reroute: EditorNode = { id, type: 'reroute', position: { x: position.x - 7, y: position.y - 7 }, data: {} };
  const edges = graph.edges.filter((candidate) => candidate.id !== edge.id);
  return {
    ...graph,
    nodes: [...graph.nodes, reroute],
    edges: [
      ...edges,
      edgeFor({ source: edge.source, sourceHandle: edge.sourceHandle ?? null, target: id, targetHandle: 'in' }),
      edgeFor({ source: id, sourceHandle: 'out', target: edge.target, targetHandle: edge.targetHandle ?? null }),
    ],
  };
}

export const Canvas = memo(function Canvas() {
  const t = useT();
  const graph = useAtomValue(graphAtom);
  const objectInfo = useAtomValue(objectInfoAtom);
  const theme = useAtomValue(themeAtom);
  const updateGraph = useSetAtom(updateGraphAtom);
  const showToast = useSetAtom(showToastAtom);
  const { loadDocument } = useEditorActions();
  const { screenToFlowPosition, flowToScreenPosition } = useReactFlow();
  const [search, setSearch] = useState<NodeSearchRequest | undefined>();
  const nodesById = useMemo(() => new Map(graph.nodes.map((node) => [node.id, node])), [graph.nodes]);

  const onNodesChange = useCallback(
    (changes: NodeChange<EditorNode>[]) => {
      const moved = changes
        .filter((change) => change.type === 'position')
        .map((change) => (change.type === 'position' ? change.id : ''));
      const structural = changes.some(
        (change) => change.type === 'remove' || change.type === 'add' || change.type === 'replace',
      );
      updateGraph({
        update: (current) => {
          let edges = current.edges;
          const removed = new Set(changes.flatMap((change) => (change.type === 'remove' ? [change.id] : [])));
          if (removed.size > 0) edges = edges.filter((edge) => !removed.has(edge.source) && !removed.has(edge.target));
          return { ...current, nodes: applyNodeChanges(changes, [...current.nodes]), edges };
        },
        record: structural || moved.length > 0,
        ...(moved.length > 0 && !structural ? { group: groupKeys.drag(moved) } : {}),
      });
    },
    [updateGraph],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange<EditorEdge>[]) =>
      updateGraph({
        update: (current) => ({ ...current, edges: applyEdgeChanges(changes, [...current.edges]) }),
        record: changes.some((change) => change.type === 'remove'),
      }),
    [updateGraph],
  );

  const isValidConnection: IsValidConnection = useCallback(
    (connection) =>
      !!objectInfo &&
      validateConnection(
        {
          source: connection.source,
          sourceHandle: connection.sourceHandle ?? null,
          target: connection.target,
          targetHandle: connection.targetHandle ?? null,
        },
        nodesById,
        graph.edges,
        objectInfo,
      ).ok,
    [graph.edges, nodesById, objectInfo],
  );

  const onConnect = useCallback(
    (connection: Connection) => updateGraph({ update: (current) => connect(current, connection) }),
    [updateGraph],
  );

  const addNode = useCallback(
    (
      classType: string,
      position: { x: number; y: number },
      wire?: { nodeId: string; handleId: string | null; fromSource: boolean },
    ) => {
      const info = objectInfo?.[classType];
      if (!info) return;
      updateGraph({
        update: (current) => {
          const id = nextNodeId(current);
          const node = createNode(info, id, position, info.display_name);
          let next: EditorGraph = {
            ...current,
            nodes: [...current.nodes.map((n) => ({ ...n, selected: false })), { ...node, selected: true }],
          };
          if (wire && objectInfo) {
            const nodes = new Map(next.nodes.map((n) => [n.id, n]));
            if (wire.fromSource) {
              const type = outputType(wire.nodeId, wire.handleId, nodes, next.edges, objectInfo) ?? '*';
              const { widgets, sockets } = nodeInputs(info);
              const target = [...sockets, ...widgets].find((field) => typesConnect(type, field.type));
              if (target)
                next = connect(next, {
                  source: wire.nodeId,
                  sourceHandle: wire.handleId,
                  target: id,
                  targetHandle: target.name,
                });
            } else {
              const wanted = inputType(wire.nodeId, wire.handleId, nodes, objectInfo) ?? '*';
              const index = info.output.findIndex((type) => typesConnect(type, wanted));
              if (index >= 0)
                next = connect(next, {
                  source: id,
                  sourceHandle: outputHandle(index),
                  target: wire.nodeId,
                  targetHandle: wire.handleId,
                });
            }
          }
          return next;
        },
      });
    },
    [objectInfo, updateGraph],
  );

  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (!objectInfo || state.isValid || !state.fromNode) return;
      const point = 'changedTouches' in event ? event.changedTouches[0]! : event;
      if (state.toHandle && state.toNode) {
        const fromSource = state.fromHandle?.type === 'source';
        const attempt = fromSource
          ? {
              source: state.fromNode.id,
              sourceHandle: state.fromHandle?.id,
              target: state.toNode.id,
              targetHandle: state.toHandle.id,
            }
          : {
              source: state.toNode.id,
              sourceHandle: state.toHandle.id,
              target: state.fromNode.id,
              targetHandle: state.fromHandle?.id,
            };
        const verdict = validateConnection(attempt, nodesById, graph.edges, objectInfo);
        if (!verdict.ok)
          showToast({
            kind: 'error',
            text: `${t('refusedConnection')}: ${t(`connection.${verdict.reason}`, verdict.params)}`,
          });
        return;
      }
      // Dropped on empty canvas (not on a node, a control or the minimap): offer the nodes that fit the wire.
      if (
        !(event.target instanceof Element) ||
        event.target.closest('.react-flow__node, .react-flow__panel') ||
        !event.target.closest('.react-flow')
      )
        return;
      const fromSource = state.fromHandle?.type === 'source';
      const wire = { nodeId: state.fromNode.id, handleId: state.fromHandle?.id ?? null, fromSource };
      const type = fromSource
        ? outputType(wire.nodeId, wire.handleId, nodesById, graph.edges, objectInfo)
        : inputType(wire.nodeId, wire.handleId, nodesById, objectInfo);
      const accept = (info: NodeInfo): boolean => {
        if (!type) return true;
        if (fromSource) {
          const { widgets, sockets } = nodeInputs(info);
          return [...sockets, ...widgets].some((field) => typesConnect(type, field.type));
        }
        return info.output.some((output) => typesConnect(output, type));
      };
      setSearch({
        screen: { x: point.clientX, y: point.clientY },
        flow: screenToFlowPosition({ x: point.clientX, y: point.clientY }),
        accept,
        onPick: (classType) => addNode(classType, screenToFlowPosition({ x: point.clientX, y: point.clientY }), wire),
      });
    },
    [addNode, graph.edges, nodesById, objectInfo, screenToFlowPosition, showToast, t],
  );

  const onDoubleClick = useCallback(
    (event: React.MouseEvent) => {
      if (!(event.target instanceof Element) || !event.target.classList.contains('react-flow__pane')) return;
      const flow = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      setSearch({
        screen: { x: event.clientX, y: event.clientY },
        flow,
        onPick: (classType) => addNode(classType, flow),
      });
    },
    [addNode, screenToFlowPosition],
  );

  // Keyboard: with one node selected, A opens the search for nodes that take its first output and adds the chosen
  // one after it, connected.
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key.toLowerCase() !== 'a' || event.ctrlKey || event.metaKey || event.altKey || !objectInfo) return;
      if (event.target instanceof HTMLElement && event.target.matches('input, textarea, select')) return;
      const selected = graph.nodes.filter((node) => node.selected && node.type === 'ink');
      const node = selected[0];
      if (selected.length !== 1 || !node || node.type !== 'ink') return;
      const type = objectInfo[node.data.classType]?.output[0];
      if (!type) return;
      event.preventDefault();
      const flow = { x: node.position.x + (node.measured?.width ?? 300) + 80, y: node.position.y };
      const screen = flowToScreenPosition(flow);
      const accept = (info: NodeInfo): boolean => {
        const { widgets, sockets } = nodeInputs(info);
        return [...sockets, ...widgets].some((field) => typesConnect(type, field.type));
      };
      setSearch({
        screen,
        flow,
        accept,
        onPick: (classType) =>
          addNode(classType, flow, { nodeId: node.id, handleId: outputHandle(0), fromSource: true }),
      });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [addNode, flowToScreenPosition, graph.nodes, objectInfo]);

  /** Double-clicking a wire puts a reroute point on it. */
  const onEdgeDoubleClick = useCallback(
    (event: React.MouseEvent, edge: EditorEdge) => {
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      updateGraph({
        update: (current) => insertReroute(current, edge, position, `reroute-${Date.now().toString(36)}`),
      });
    },
    [screenToFlowPosition, updateGraph],
  );

  const onDrop = useCallback(
    async (event: React.DragEvent) => {
      const file = event.dataTransfer.files[0];
      if (!file) return;
      event.preventDefault();
      if (file.name.toLowerCase().endsWith('.png') || file.type === 'image/png') {
        const workflow = workflowFromPngText(readPngTextChunks(new Uint8Array(await file.arrayBuffer())));
        if (workflow === undefined) showToast({ kind: 'error', text: `${t('loadFailed')}: ${file.name}` });
        else loadDocument(workflow, file.name.replace(/\.png$/i, ''));
        return;
      }
      try {
        loadDocument(JSON.parse(await file.text()) as unknown, file.name.replace(/\.json$/i, ''));
      } catch {
        showToast({ kind: 'error', text: `${t('loadFailed')}: ${file.name}` });
      }
    },
    [loadDocument, showToast, t],
  );

  return (
    <div
      className="canvas"
      onDrop={(event) => void onDrop(event)}
      onDragOver={(event) => event.preventDefault()}
      onDoubleClick={onDoubleClick}
      data-testid="canvas"
    >
      <ReactFlow<EditorNode, EditorEdge>
        nodes={graph.nodes as EditorNode[]}
        edges={graph.edges as EditorEdge[]}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        onEdgeDoubleClick={onEdgeDoubleClick}
        isValidConnection={isValidConnection}
        zoomOnDoubleClick={false}
        deleteKeyCode={['Delete', 'Backspace']}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        selectionOnDrag
        panOnDrag={[1, 2]}
        minZoom={0.1}
        maxZoom={4}
        onlyRenderVisibleElements
        colorMode={theme}
        fitView
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <MiniMap pannable zoomable />
        <Controls />
      </ReactFlow>
      {search && <NodeSearch request={search} onClose={() => setSearch(undefined)} />}
    </div>
  );
});
