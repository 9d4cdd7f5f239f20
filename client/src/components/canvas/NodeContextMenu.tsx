import { useAtomValue, useSetAtom } from 'jotai';
import { memo, useEffect, useRef, useState } from 'react';
import { NODE_COLOURS, NODE_COLOUR_NAMES } from '../../graph/node-colours.js';
import {
  menuTargets,
  removeElements,
  renameNode,
  setColourOf,
  toggleCollapsedOf,
  toggleModeOf,
  togglePinnedOf,
} from '../../graph/node-edits.js';
import { isSubgraphNode } from '../../graph/subgraph-edits.js';
import { isInkNode, type EditorGraph } from '../../graph/types.js';
import { useT } from '../../i18n/use-t.js';
import { graphAtom, updateGraphAtom } from '../../state/atoms.js';
import { useSubgraphActions } from '../../state/subgraph-actions.js';
import './node-menu.css';

export interface NodeMenuRequest {
  readonly nodeId: string;
  /** Where the right-click was, in screen pixels. */
  readonly screen: { x: number; y: number };
}

/** Where the rename box goes: over the node's title, so the title is edited where it is. */
function titleBox(nodeId: string): { left: number; top: number; width: number } | undefined {
  const header = document.querySelector(`[data-testid="node-${CSS.escape(nodeId)}"] .node-header`);
  if (!header) return undefined;
  const rect = header.getBoundingClientRect();
  return { left: rect.left, top: rect.top, width: rect.width };
}

/**
 * The node menu (right-click a node), as ComfyUI's frontend has it: bypass, mute, collapse, colour, pin, rename,
 * remove. Each action is one undo step; Escape or a click elsewhere closes it.
 */
export const NodeContextMenu = memo(function NodeContextMenu({
  request,
  onClose,
}: {
  request: NodeMenuRequest;
  onClose: () => void;
}) {
  const t = useT();
  const graph = useAtomValue(graphAtom);
  const updateGraph = useSetAtom(updateGraphAtom);
  const subgraphs = useSubgraphActions();
  const [renaming, setRenaming] = useState<{ left: number; top: number; width: number }>();
  const root = useRef<HTMLDivElement>(null);
  // Escape leaves the title as it was; the box's blur (which commits) must not rename it then.
  const cancelled = useRef(false);
  const found = graph.nodes.find((candidate) => candidate.id === request.nodeId);
  const node = isInkNode(found) ? found : undefined;

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') onClose();
    };
    const onPointer = (event: PointerEvent): void => {
      if (!(event.target instanceof Node) || !root.current?.contains(event.target)) onClose();
    };
    window.addEventListener('keydown', onKey);
    // Capture: React Flow stops pointer events on the pane and nodes from bubbling.
    window.addEventListener('pointerdown', onPointer, true);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointerdown', onPointer, true);
    };
  }, [onClose]);

  if (!node) return null;
  const targets = menuTargets(graph, node.id);
  const act = (edit: (current: EditorGraph) => EditorGraph): void => {
    updateGraph({ update: edit });
    onClose();
  };

  if (renaming)
    return (
      <div ref={root} className="node-rename" style={renaming} data-testid="node-rename">
        <input
          className="nodrag nokey"
          defaultValue={node.data.title}
          aria-label={t('nodeMenu.rename')}
          autoFocus
          onFocus={(event) => event.currentTarget.select()}
          onKeyDown={(event) => {
            if (event.key === 'Escape') cancelled.current = true;
            if (event.key === 'Enter') act((current) => renameNode(current, node.id, event.currentTarget.value));
          }}
          onBlur={(event) => {
            if (!cancelled.current) act((current) => renameNode(current, node.id, event.currentTarget.value));
          }}
        />
      </div>
    );

  const item = (key: string, label: string, onClick: () => void, checked?: boolean) => (
    <button
      key={key}
      role={checked === undefined ? 'menuitem' : 'menuitemcheckbox'}
      aria-checked={checked}
      onClick={onClick}
      data-testid={`node-menu-${key}`}
    >
      {label}
      {checked && <span aria-hidden="true"> ✓</span>}
    </button>
  );

  return (
    <div
      ref={root}
      className="node-menu"
      role="menu"
      style={{ left: request.screen.x, top: request.screen.y }}
      onContextMenu={(event) => event.preventDefault()}
      data-testid="node-menu"
    >
      {item(
        'bypass',
        t('nodeMenu.bypass'),
        () => act((current) => toggleModeOf(current, targets, node.id, 4)),
        node.data.mode === 4,
      )}
      {item(
        'mute',
        t('nodeMenu.mute'),
        () => act((current) => toggleModeOf(current, targets, node.id, 2)),
        node.data.mode === 2,
      )}
      {item('collapse', node.data.collapsed ? t('nodeMenu.expand') : t('nodeMenu.collapse'), () =>
        act((current) => toggleCollapsedOf(current, targets, node.id)),
      )}
      <div className="node-menu-colours" role="group" aria-label={t('nodeMenu.colour')}>
        <span>{t('nodeMenu.colour')}</span>
        <button
          className="swatch none"
          title={t('nodeMenu.noColour')}
          aria-label={t('nodeMenu.noColour')}
          onClick={() => act((current) => setColourOf(current, targets, undefined))}
          data-testid="node-menu-colour-none"
        />
        {NODE_COLOUR_NAMES.map((name) => (
          <button
            key={name}
            className="swatch"
            style={{ background: NODE_COLOURS[name].bgcolor, borderColor: NODE_COLOURS[name].color }}
            title={t(`colour.${name}`)}
            aria-label={t(`colour.${name}`)}
            aria-pressed={node.data.bgcolor === NODE_COLOURS[name].bgcolor}
            onClick={() => act((current) => setColourOf(current, targets, NODE_COLOURS[name]))}
            data-testid={`node-menu-colour-${name}`}
          />
        ))}
      </div>
      {item(
        'pin',
        node.data.pinned ? t('nodeMenu.unpin') : t('nodeMenu.pin'),
        () => act((current) => togglePinnedOf(current, targets, node.id)),
        node.data.pinned === true,
      )}
      {item('convert-subgraph', t('subgraph.convert'), () => {
        subgraphs.convert(targets);
        onClose();
      })}
      {isSubgraphNode(graph, node) &&
        item('open-subgraph', t('subgraph.open'), () => {
          onClose();
          subgraphs.open(node.id);
        })}
      {isSubgraphNode(graph, node) &&
        item('publish-subgraph', t('subgraph.publish'), () => {
          subgraphs.publish(node.id);
          onClose();
        })}
      {isSubgraphNode(graph, node) &&
        item('unpack-subgraph', t('subgraph.unpack'), () => {
          subgraphs.unpack(node.id);
          onClose();
        })}
      {item('rename', t('nodeMenu.rename'), () => {
        const box = titleBox(node.id);
        if (box) setRenaming(box);
        else onClose();
      })}
      {item('remove', t('nodeMenu.remove'), () => act((current) => removeElements(current, targets, new Set())))}
    </div>
  );
});
