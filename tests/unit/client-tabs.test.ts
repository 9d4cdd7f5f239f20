import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../nodes/index.js';
import { buildObjectInfo } from '../../nodes/object-info.js';
import type { NodeRunState } from '../../client/src/execution/execution-state.js';
import { runsOfTab } from '../../client/src/execution/tab-runs.js';
import { documentShape, sameDocument } from '../../client/src/graph/document-equal.js';
import { commit, undo } from '../../client/src/graph/history.js';
import { createNode } from '../../client/src/graph/node-factory.js';
import type { EditorGraph, EditorNode } from '../../client/src/graph/types.js';
import { graphToWorkflow } from '../../client/src/graph/workflow-graph.js';
import {
  activate,
  activeTab,
  addTab,
  closeTab,
  createTab,
  forgetLibraryEntry,
  fromStoredTabs,
  isModified,
  markSaved,
  openWorkflow,
  singleTab,
  storedTabsSchema,
  toStoredTabs,
  updateActive,
  type TabsState,
  type WorkflowTab,
} from '../../client/src/graph/workflow-tabs.js';

const objectInfo = buildObjectInfo(createRegistry(), {
  inputDir: '/none',
  outputDir: '/none',
  tempDir: '/none',
  modelsDir: '/none',
});

const load = createNode(objectInfo.LoadImage!, '1', { x: 0, y: 0 }, 'Load Image');
const save = createNode(objectInfo.SaveImage!, '2', { x: 400, y: 0 }, 'Save');
const graph: EditorGraph = {
  nodes: [load, save],
  edges: [{ id: 'a', source: '1', sourceHandle: 'out-0', target: '2', targetHandle: 'images' }],
};
const moved = (source: EditorGraph, id: string, x: number): EditorGraph => ({
  ...source,
  nodes: source.nodes.map((node): EditorNode =>
    node.id === id ? { ...node, position: { ...node.position, x } } : node,
  ),
});
const edit = (tab: WorkflowTab, next: EditorGraph): WorkflowTab => ({
  ...tab,
  history: commit(tab.history, next, { now: 1 }),
});

describe('comparing workflow documents', () => {
  const document = graphToWorkflow(graph);
  it('ignores key order, the viewport and measured heights', () => {
    const reordered = Object.fromEntries(Object.entries(document).reverse());
    expect(sameDocument(document, reordered)).toBe(true);
    expect(sameDocument(document, { ...document, viewport: { x: 5, y: 9, zoom: 2 } })).toBe(true);
    const measured = graphToWorkflow({
      ...graph,
      nodes: graph.nodes.map((node) => ({ ...node, measured: { width: node.width ?? 280, height: 333 } })),
    });
    const unmeasured = graphToWorkflow({
      ...graph,
      nodes: graph.nodes.map((node) => ({ ...node, measured: { width: node.width ?? 280, height: 120 } })),
    });
    expect(sameDocument(measured, unmeasured)).toBe(true);
  });

  it('sees a moved node, a changed widget, a wider node and a removed wire', () => {
    expect(sameDocument(document, graphToWorkflow(moved(graph, '1', 40)))).toBe(false);
    const widget: EditorGraph = {
      ...graph,
      nodes: graph.nodes.map((node) =>
        node.type === 'ink' && node.id === '2'
          ? { ...node, data: { ...node.data, widgets: { ...node.data.widgets, filename_prefix: 'cats' } } }
          : node,
      ),
    };
    expect(sameDocument(document, graphToWorkflow(widget))).toBe(false);
    const sized = (width: number, height: number) =>
      graphToWorkflow({
        ...graph,
        nodes: graph.nodes.map((node) => (node.id === '1' ? { ...node, width, measured: { width, height } } : node)),
      });
    expect(sameDocument(sized(280, 100), sized(500, 100))).toBe(false);
    expect(sameDocument(sized(280, 100), sized(280, 240))).toBe(true);
    expect(sameDocument(document, graphToWorkflow({ ...graph, edges: [] }))).toBe(false);
    expect(documentShape({ b: 1, a: [2, { d: 1, c: 2 }] }).key).toBe('{"a":[2,{"c":2,"d":1}],"b":1}');
    // A document stored without sizes gets them when drawn: no change.
    expect(sameDocument(document, sized(300, 124))).toBe(true);
    // A node resized by hand: its height counts too.
    const resized = (height: number) => ({ prompt: { '1': { _meta: { size: [300, height], resized: true } } } });
    expect(sameDocument(resized(200), resized(260))).toBe(false);
    expect(sameDocument(resized(200), resized(200))).toBe(true);
  });

  it('does not count selection', () => {
    const selected: EditorGraph = { ...graph, nodes: graph.nodes.map((node) => ({ ...node, selected: true })) };
    expect(sameDocument(document, graphToWorkflow(selected))).toBe(true);
  });
});

describe('the unsaved marker of a tab', () => {
  it('shows after an edit, goes when undo comes back to the saved state, and after saving', () => {
    const tab = createTab('t1', graph, 'cats');
    expect(isModified(tab)).toBe(false);
    const changed = edit(tab, moved(graph, '1', 80));
    expect(isModified(changed)).toBe(true);
    expect(isModified({ ...changed, history: undo(changed.history) })).toBe(false);
    // Moved back by hand to where it was: the same document again.
    expect(isModified(edit(changed, moved(changed.history.present, '1', 0)))).toBe(false);
    const saved = markSaved(singleTab(changed), 't1', 'cats', graphToWorkflow(changed.history.present));
    expect(isModified(activeTab(saved))).toBe(false);
    expect(activeTab(saved).libraryName).toBe('cats');
  });
});

describe('tabs', () => {
  const first = createTab('t1', graph, 'one');
  const start = singleTab(first);

  it('open a workflow in the current tab while it is unmodified, else in a new tab', () => {
    const other = createTab('t2', { nodes: [], edges: [] }, 'two');
    const replaced = openWorkflow(start, other, false);
    expect(replaced.tabs.map((tab) => tab.id)).toEqual(['t2']);
    expect(replaced.activeId).toBe('t2');
    const added = openWorkflow(start, other, true);
    expect(added.tabs.map((tab) => tab.id)).toEqual(['t1', 't2']);
    expect(added.activeId).toBe('t2');
  });

  it('show a library workflow that is already open in its own tab', () => {
    const library: TabsState = addTab(start, createTab('t2', graph, 'cats', { libraryName: 'cats' }));
    const back = activate(library, 't1');
    const again = openWorkflow(back, createTab('t3', graph, 'cats', { libraryName: 'cats' }), true);
    expect(again.tabs.map((tab) => tab.id)).toEqual(['t1', 't2']);
    expect(again.activeId).toBe('t2');
    expect(forgetLibraryEntry(again, 'cats').tabs[1]!.libraryName).toBeUndefined();
  });

  it('keep their own graph and undo history; edits go to the shown tab', () => {
    let state = addTab(start, createTab('t2', graph, 'two'));
    state = updateActive(state, (tab) => edit(tab, moved(tab.history.present, '1', 100)));
    state = activate(state, 't1');
    expect(activeTab(state).history.past).toHaveLength(0);
    state = updateActive(state, (tab) => edit(tab, moved(tab.history.present, '2', 900)));
    state = activate(state, 't2');
    expect(activeTab(state).history.present.nodes[0]!.position.x).toBe(100);
    expect(activeTab(state).history.present.nodes[1]!.position.x).toBe(400);
    state = updateActive(state, (tab) => ({ ...tab, history: undo(tab.history) }));
    expect(activeTab(state).history.present).toBe(graph);
    expect(state.tabs[0]!.history.present.nodes[1]!.position.x).toBe(900);
  });

  it('close to the right neighbour, else the left, and leave a fresh tab when the last one closes', () => {
    const three = addTab(addTab(start, createTab('t2', graph, 'two')), createTab('t3', graph, 'three'));
    const middle = activate(three, 't2');
    expect(closeTab(middle, 't2', () => first).activeId).toBe('t3');
    expect(closeTab(three, 't3', () => first).activeId).toBe('t2');
    expect(closeTab(middle, 't1', () => first)).toMatchObject({ activeId: 't2' });
    const fresh = createTab('t9', { nodes: [], edges: [] }, '');
    expect(closeTab(start, 't1', () => fresh)).toEqual(singleTab(fresh));
  });

  it('survive storage: documents, saved documents, names and views, not undo history', () => {
    let state = addTab(start, createTab('t2', graph, 'two', { viewport: { x: 1, y: 2, zoom: 0.5 } }));
    state = updateActive(state, (tab) => edit(tab, moved(tab.history.present, '1', 70)));
    const stored = storedTabsSchema.parse(JSON.parse(JSON.stringify(toStoredTabs(state))));
    const back = fromStoredTabs(stored, (document) => {
      const envelope = document as ReturnType<typeof graphToWorkflow>;
      return moved(graph, '1', envelope.prompt['1']!._meta!.pos![0]);
    })!;
    expect(back.activeId).toBe('t2');
    expect(back.tabs.map((tab) => tab.name)).toEqual(['one', 'two']);
    expect(back.tabs[1]!.viewport).toEqual({ x: 1, y: 2, zoom: 0.5 });
    expect(back.tabs[1]!.history.past).toHaveLength(0);
    expect(isModified(back.tabs[1]!)).toBe(true);
    expect(isModified(back.tabs[0]!)).toBe(false);
    expect(fromStoredTabs(stored, () => undefined)).toBeUndefined();
  });
});

describe('run states per tab', () => {
  const run = (promptId: string): NodeRunState => ({ status: 'running', promptId });
  it("shows a tab its own prompts' states and unclaimed ones, never another tab's", () => {
    const nodes = { '3': run('p1'), '4': run('p2'), '5': run('p9') };
    const owners = { p1: 't1', p2: 't2' };
    expect(Object.keys(runsOfTab(nodes, owners, 't1'))).toEqual(['3', '5']);
    expect(Object.keys(runsOfTab(nodes, owners, 't2'))).toEqual(['4', '5']);
    const own = { '3': run('p1') };
    expect(runsOfTab(own, owners, 't1')).toBe(own);
  });
});
