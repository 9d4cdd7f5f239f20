import {
  Background,
  Controls,
  ReactFlow,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeChange,
  type NodeTypes,
  type OnConnectStart,
  type OnNodeDrag,
  type OnBeforeDelete,
} from '@xyflow/react';
import { applyEdgeChanges, applyNodeChanges, useStore } from '@xyflow/react';
import { useAtom, useAtomValue, useSetAtom } from 'jotai';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { NodeInfo } from '../../../../shared/node-spec.js';
import { fitsWire } from '../../graph/accepts.js';
import { addNode as addNodeTo, looseWireType, type LooseWire } from '../../graph/add-node.js';
import { groupMembers, withGroupMembers } from '../../graph/group-drag.js';
import { graphModelSize } from '../../graph/model-size.js';
import { droppedAttempt, validateConnection } from '../../graph/connection-rules.js';
import { DETACH_RADIUS, dropDetachedWire, type DetachedDrop } from '../../graph/detach.js';
import { changeRecording } from '../../graph/node-changes.js';
import { nodeSize, removeElements, soleSelectedInk } from '../../graph/node-edits.js';
import { outputHandle, type EditorEdge, type EditorNode } from '../../graph/types.js';
import { readWorkflowFile } from '../../graph/workflow-file.js';
import { graphBounds, isInView, readableViewport } from '../../graph/readable-view.js';
import { connect, edgesWithout, insertReroute } from '../../graph/wiring.js';
import { ariaLabels } from '../../i18n/aria-labels.js';
import { useT } from '../../i18n/use-t.js';
import { shortcutKeys } from '../../keyboard/keymap.js';
import { canvasDragProps } from '../../keyboard/left-drag.js';
import { useShortcuts } from '../../keyboard/use-shortcuts.js';
import { useEditorActions } from '../../state/actions.js';
import { carriedWireAtom } from '../../state/carried-wire.js';
import {
  graphAtom,
  leftDragAtom,
  localeAtom,
  modelSizesAtom,
  objectInfoAtom,
  showToastAtom,
  themeAtom,
  updateGraphAtom,
  viewRequestAtom,
} from '../../state/atoms.js';
import { GroupNodeView } from '../nodes/GroupNodeView.js';
import { FAR_ZOOM } from '../nodes/FarNodeView.js';
import { InkNodeView } from '../nodes/InkNodeView.js';
import { RerouteNodeView } from '../nodes/RerouteNodeView.js';
import { CanvasMiniMap } from './CanvasMiniMap.js';
import { ConnectionLine } from './ConnectionLine.js';
import { NodeContextMenu, type NodeMenuRequest } from './NodeContextMenu.js';
import { SubgraphBar } from './SubgraphBar.js';
import { NodeSearch, type NodeSearchRequest } from './NodeSearch.js';

const nodeTypes: NodeTypes = { ink: InkNodeView, reroute: RerouteNodeView, group: GroupNodeView };
const DELETE_KEYS = shortcutKeys('delete');

export const Canvas = memo(function Canvas() {
  // Zoomed far out the dot grid is a dot every few pixels: costly to repaint on every frame of a pan, and no help
  // (litegraph also stops drawing its background below half size).
  const far = useStore((state) => state.transform[2] < FAR_ZOOM);
  const t = useT();
  const graph = useAtomValue(graphAtom);
  // Far out, wires lose their 20 px invisible hit area (hit-testing hundreds of thick curves on every mouse move was
  // a third of a pan frame), and nodes are cheap enough to draw all: culling them anew each frame cost more than it saved.
  const shownEdges = useMemo(
    () => (far ? graph.edges.map((edge) => ({ ...edge, interactionWidth: 0 })) : graph.edges),
    [far, graph.edges],
  );
  const objectInfo = useAtomValue(objectInfoAtom);
  const modelSizes = useAtomValue(modelSizesAtom);
  const theme = useAtomValue(themeAtom);
  const leftDrag = useAtomValue(leftDragAtom);
  const locale = useAtomValue(localeAtom);
  const ariaLabelConfig = useMemo(() => ariaLabels(locale), [locale]);
  const updateGraph = useSetAtom(updateGraphAtom);
  const showToast = useSetAtom(showToastAtom);
  const { loadDocument } = useEditorActions();
  const { screenToFlowPosition, flowToScreenPosition, getViewport, setViewport, setCenter } = useReactFlow();
  const paneRef = useRef<HTMLDivElement>(null);
  const paneSize = useCallback(
    () => ({
      width: paneRef.current?.clientWidth ?? window.innerWidth,
      height: paneRef.current?.clientHeight ?? window.innerHeight,
    }),
    [],
  );

  // A newly opened document gets a view whose text can be read (13 px type stays ≥ 11 px on screen).
  const viewRequest = useAtomValue(viewRequestAtom);
  const viewedRequest = useRef(0);
  useEffect(() => {
    if (viewRequest === viewedRequest.current) return;
    const bounds = graphBounds(graph.nodes);
    if (!bounds) return;
    viewedRequest.current = viewRequest;
    void setViewport(readableViewport(bounds, paneSize()));
  }, [graph.nodes, paneSize, setViewport, viewRequest]);

  /** Pans (keeping the zoom) so a flow-space box is on screen, when it is not already. */
  const reveal = useCallback(
    (rect: { x: number; y: number; width: number; height: number }) => {
      if (isInView(rect, getViewport(), paneSize())) return;
      void setCenter(rect.x + rect.width / 2, rect.y + rect.height / 2, { zoom: getViewport().zoom });
    },
    [getViewport, paneSize, setCenter],
  );
  const [search, setSearch] = useState<NodeSearchRequest | undefined>();
  const [menu, setMenu] = useState<NodeMenuRequest | undefined>();
  const closeMenu = useCallback(() => setMenu(undefined), []);
  const onNodeContextMenu = useCallback((event: React.MouseEvent, node: EditorNode) => {
    if (node.type !== 'ink') return;
    event.preventDefault();
    setMenu({ nodeId: node.id, screen: { x: event.clientX, y: event.clientY } });
  }, []);
  const nodesById = useMemo(() => new Map(graph.nodes.map((node) => [node.id, node])), [graph.nodes]);
  // The nodes inside each dragged group, fixed when the drag starts (as ComfyUI does).
  const dragMembers = useRef<ReadonlyMap<string, readonly string[]>>(new Map());
  const onNodeDragStart: OnNodeDrag<EditorNode> = useCallback(
    (_event, _node, dragged) => {
      dragMembers.current = groupMembers(
        graph.nodes,
        dragged.map((node) => node.id),
      );
    },
    [graph.nodes],
  );
  const onNodeDragStop = useCallback(() => {
    dragMembers.current = new Map();
  }, []);

  const onNodesChange = useCallback(
    (changes: NodeChange<EditorNode>[]) => {
      const members = dragMembers.current;
      updateGraph({
        update: (current) => {
          const removed = new Set(changes.flatMap((change) => (change.type === 'remove' ? [change.id] : [])));
          return {
            ...current,
            nodes: applyNodeChanges(withGroupMembers(changes, current.nodes, members), [...current.nodes]),
            edges: edgesWithout(current.edges, removed),
          };
        },
        ...changeRecording(changes),
      });
    },
    [updateGraph],
  );

  // React Flow removes a node's wires and then the node as two changes; the document takes the whole deletion as
  // one, so one undo brings both back.
  const onBeforeDelete: OnBeforeDelete<EditorNode, EditorEdge> = useCallback(
    ({ nodes, edges }) => {
      const nodeIds = new Set(nodes.map((node) => node.id));
      const edgeIds = new Set(edges.map((edge) => edge.id));
      updateGraph({ update: (current) => removeElements(current, nodeIds, edgeIds) });
      return Promise.resolve(false);
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
    (classType: string, position: { x: number; y: number }, wire?: LooseWire) => {
      const info = objectInfo?.[classType];
      if (!info) return;
      updateGraph({
        update: (current) =>
          addNodeTo(current, info, position, objectInfo, wire, graphModelSize(current, modelSizes)?.size, locale),
      });
    },
    [locale, modelSizes, objectInfo, updateGraph],
  );

  // Detach-by-drag (graph/detach.ts): a drag from a connected input picks its wire up; the document changes once,
  // where it is dropped, so that is one undo step.
  const [carried, setCarried] = useAtom(carriedWireAtom);
  const carriedFrom = useRef<{ readonly wire: EditorEdge; readonly x: number; readonly y: number } | undefined>(
    undefined,
  );
  const onConnectStart: OnConnectStart = useCallback(
    (event, { nodeId, handleId, handleType }) => {
      const wire =
        handleType === 'target'
          ? graph.edges.find((edge) => edge.target === nodeId && edge.targetHandle === handleId)
          : undefined;
      const point = 'touches' in event ? event.touches[0] : event;
      carriedFrom.current = wire && point ? { wire, x: point.clientX, y: point.clientY } : undefined;
      setCarried(carriedFrom.current?.wire);
    },
    [graph.edges, setCarried],
  );
  const dropCarried = useCallback(
    (
      event: MouseEvent | TouchEvent,
      state: FinalConnectionState,
      { wire, x, y }: { readonly wire: EditorEdge; readonly x: number; readonly y: number },
    ) => {
      if (!objectInfo) return;
      const point = 'changedTouches' in event ? event.changedTouches[0]! : event;
      const target = event.target instanceof Element ? event.target : null;
      const onCanvas = !!target?.closest('.react-flow') && !target.closest('.react-flow__node, .react-flow__panel');
      const onNode = target?.closest('.react-flow__node')?.getAttribute('data-id');
      const drop: DetachedDrop =
        state.toHandle?.type === 'target' && state.toNode
          ? { on: 'input', nodeId: state.toNode.id, handleId: state.toHandle.id ?? '' }
          : !state.toHandle && onCanvas
            ? { on: 'canvas', near: Math.hypot(point.clientX - x, point.clientY - y) <= DETACH_RADIUS }
            : !state.toHandle && onNode
              ? { on: 'node', nodeId: onNode }
              : { on: 'elsewhere' };
      const outcome = dropDetachedWire(graph, wire, drop, objectInfo);
      if (outcome.kind === 'refused')
        showToast({
          kind: 'error',
          text: `${t('refusedConnection')}: ${t(`connection.${outcome.problem.refusal}`, outcome.problem.params)}`,
        });
      if (outcome.kind !== 'moved' && outcome.kind !== 'removed') return;
      updateGraph({
        update: (current) => {
          const next = dropDetachedWire(current, wire, drop, objectInfo);
          return next.kind === 'moved' || next.kind === 'removed' ? next.graph : current;
        },
      });
      // Dropped farther out on the canvas: as a wire dropped from its output, offer the nodes that take it.
      const loose = outcome.kind === 'removed' ? outcome.search : undefined;
      if (!loose) return;
      const type = looseWireType(loose, nodesById, graph.edges, objectInfo);
      const flow = screenToFlowPosition({ x: point.clientX, y: point.clientY });
      setSearch({
        screen: { x: point.clientX, y: point.clientY },
        flow,
        accept: (info) => fitsWire(info, type, true),
        onPick: (classType) => addNode(classType, flow, loose),
      });
    },
    [addNode, graph, nodesById, objectInfo, screenToFlowPosition, showToast, t, updateGraph],
  );

  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      const carriedWire = carriedFrom.current;
      if (carriedWire) {
        carriedFrom.current = undefined;
        setCarried(undefined);
        dropCarried(event, state, carriedWire);
        return;
      }
      if (!objectInfo || state.isValid || !state.fromNode) return;
      const point = 'changedTouches' in event ? event.changedTouches[0]! : event;
      if (state.toHandle && state.toNode) {
        const attempt = droppedAttempt(
          {
            nodeId: state.fromNode.id,
            handleId: state.fromHandle?.id,
            fromSource: state.fromHandle?.type === 'source',
          },
          { nodeId: state.toNode.id, handleId: state.toHandle.id },
        );
        const verdict = validateConnection(attempt, nodesById, graph.edges, objectInfo);
        if (!verdict.ok)
          showToast({
            kind: 'error',
            text: `${t('refusedConnection')}: ${t(`connection.${verdict.reason.refusal}`, verdict.reason.params)}`,
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
      const wire: LooseWire = { nodeId: state.fromNode.id, handleId: state.fromHandle?.id ?? null, fromSource };
      const type = looseWireType(wire, nodesById, graph.edges, objectInfo);
      const accept = (info: NodeInfo): boolean => fitsWire(info, type, fromSource);
      setSearch({
        screen: { x: point.clientX, y: point.clientY },
        flow: screenToFlowPosition({ x: point.clientX, y: point.clientY }),
        accept,
        onPick: (classType) => addNode(classType, screenToFlowPosition({ x: point.clientX, y: point.clientY }), wire),
      });
    },
    [addNode, dropCarried, graph.edges, nodesById, objectInfo, screenToFlowPosition, setCarried, showToast, t],
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

  useShortcuts('canvas', {
    // With one node selected, open the search for nodes that take its first output; the pick is added after it,
    // connected.
    addAfterSelected: () => {
      const node = objectInfo ? soleSelectedInk(graph) : undefined;
      const type = node ? objectInfo?.[node.data.classType]?.output[0] : undefined;
      if (!node || !type) return false;
      const flow = { x: node.position.x + nodeSize(node).width + 80, y: node.position.y };
      // The new node goes beside the selected one; bring that place on screen first, with the search box.
      reveal({ ...flow, width: 300, height: 200 });
      setSearch({
        screen: flowToScreenPosition(flow),
        flow,
        accept: (info) => fitsWire(info, type, true),
        onPick: (classType) =>
          addNode(classType, flow, { nodeId: node.id, handleId: outputHandle(0), fromSource: true }),
      });
    },
  });

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
      const png = file.name.toLowerCase().endsWith('.png') || file.type === 'image/png';
      const opened = await readWorkflowFile(file, png ? 'png' : 'json');
      if (opened) loadDocument(opened.document, opened.name);
      else showToast({ kind: 'error', text: `${t('loadFailed')}: ${file.name}` });
    },
    [loadDocument, showToast, t],
  );

  return (
    <div
      ref={paneRef}
      className="canvas"
      onDrop={(event) => void onDrop(event)}
      onDragOver={(event) => event.preventDefault()}
      onDoubleClick={onDoubleClick}
      data-testid="canvas"
    >
      <ReactFlow<EditorNode, EditorEdge>
        nodes={graph.nodes as EditorNode[]}
        edges={(carried ? shownEdges.filter((edge) => edge.id !== carried.id) : shownEdges) as EditorEdge[]}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onNodeDragStart={onNodeDragStart}
        onNodeDragStop={onNodeDragStop}
        onEdgesChange={onEdgesChange}
        onBeforeDelete={onBeforeDelete}
        onConnect={onConnect}
        onConnectStart={onConnectStart}
        onConnectEnd={onConnectEnd}
        connectionLineComponent={ConnectionLine}
        onEdgeDoubleClick={onEdgeDoubleClick}
        onNodeContextMenu={onNodeContextMenu}
        isValidConnection={isValidConnection}
        zoomOnDoubleClick={false}
        deleteKeyCode={DELETE_KEYS}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        {...canvasDragProps(leftDrag)}
        minZoom={0.1}
        maxZoom={4}
        onlyRenderVisibleElements={!far}
        colorMode={theme}
        proOptions={{ hideAttribution: true }}
        ariaLabelConfig={ariaLabelConfig}
      >
        {!far && <Background />}
        <CanvasMiniMap />
        <Controls />
      </ReactFlow>
      {search && <NodeSearch request={search} onClose={() => setSearch(undefined)} />}
      {menu && <NodeContextMenu request={menu} onClose={closeMenu} />}
      <SubgraphBar />
    </div>
  );
});
