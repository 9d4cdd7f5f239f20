import type { MessageKey } from '../i18n/messages.js';

/**
 * Every keyboard shortcut of the editor in one table: the key handlers dispatch through `matchShortcut` and the
 * `?` list is generated from it. Pure: no DOM.
 */

export interface KeyCombo {
  /** `KeyboardEvent.key`; a single character matches in either case unless `exactCase`, a named key exactly. */
  readonly key: string;
  readonly exactCase?: boolean;
  /** Ctrl, or ⌘ on macOS. For each modifier: true, held; false, not held; absent, either. */
  readonly mod?: boolean;
  readonly shift?: boolean;
  readonly alt?: boolean;
}

/** A pointer gesture, listed but not matched here. */
export interface Gesture {
  readonly gesture: MessageKey;
}

export type Trigger = KeyCombo | Gesture;

/**
 * Who acts on a shortcut. `editor`, `canvas` and `subgraph` are the key handlers that dispatch through this table;
 * the others are listed for the user: the window's paste event, React Flow's own keys, and pointer gestures.
 */
export type ShortcutScope = 'editor' | 'canvas' | 'subgraph';
export type ShortcutHandler = ShortcutScope | 'paste-event' | 'react-flow' | 'pointer';

export interface Shortcut {
  readonly action: string;
  readonly label: MessageKey;
  readonly triggers: readonly Trigger[];
  readonly handler: ShortcutHandler;
  /** Also while typing in a field; every other shortcut leaves keys to the field. */
  readonly whileTyping?: boolean;
}

/** In the order the `?` list shows them. No key event matches two entries (tested). */
export const KEYMAP = [
  {
    action: 'run',
    label: 'shortcut.run',
    triggers: [{ key: 'Enter', mod: true }],
    handler: 'editor',
    whileTyping: true,
  },
  { action: 'save', label: 'shortcut.save', triggers: [{ key: 's', mod: true }], handler: 'editor' },
  { action: 'undo', label: 'shortcut.undo', triggers: [{ key: 'z', mod: true, shift: false }], handler: 'editor' },
  {
    action: 'redo',
    label: 'shortcut.redo',
    triggers: [
      { key: 'z', mod: true, shift: true },
      { key: 'y', mod: true },
    ],
    handler: 'editor',
  },
  { action: 'copy', label: 'shortcut.copy', triggers: [{ key: 'c', mod: true }], handler: 'editor' },
  { action: 'paste', label: 'shortcut.paste', triggers: [{ key: 'v', mod: true }], handler: 'paste-event' },
  { action: 'duplicate', label: 'shortcut.duplicate', triggers: [{ key: 'd', mod: true }], handler: 'editor' },
  { action: 'selectAll', label: 'shortcut.selectAll', triggers: [{ key: 'a', mod: true }], handler: 'editor' },
  { action: 'bypass', label: 'shortcut.bypass', triggers: [{ key: 'b', mod: true }], handler: 'editor' },
  { action: 'mute', label: 'shortcut.mute', triggers: [{ key: 'm', mod: true }], handler: 'editor' },
  // Ctrl+Alt+C copies.
  {
    action: 'collapse',
    label: 'shortcut.collapse',
    triggers: [{ key: 'c', alt: true, mod: false }],
    handler: 'editor',
  },
  {
    action: 'delete',
    label: 'shortcut.delete',
    triggers: [{ key: 'Delete' }, { key: 'Backspace' }],
    handler: 'react-flow',
  },
  {
    action: 'addNode',
    label: 'shortcut.addNode',
    triggers: [{ gesture: 'shortcut.doubleClickCanvas' }],
    handler: 'pointer',
  },
  // Which drag pans and which box-selects is the Left-drag setting (the toolbar's More menu).
  {
    action: 'pan',
    label: 'shortcut.pan',
    triggers: [{ gesture: 'shortcut.panGesture' }, { gesture: 'shortcut.leftDragPanMode' }],
    handler: 'pointer',
  },
  {
    action: 'boxSelect',
    label: 'shortcut.boxSelect',
    triggers: [{ gesture: 'shortcut.ctrlDrag' }, { gesture: 'shortcut.leftDragSelectMode' }],
    handler: 'pointer',
  },
  {
    action: 'reroute',
    label: 'shortcut.reroute',
    triggers: [{ gesture: 'shortcut.doubleClickWire' }],
    handler: 'pointer',
  },
  {
    action: 'addAfterSelected',
    label: 'shortcut.addAfterSelected',
    triggers: [{ key: 'a', mod: false, alt: false }],
    handler: 'canvas',
  },
  { action: 'group', label: 'shortcut.group', triggers: [{ key: 'g', mod: true }], handler: 'editor' },
  // ComfyUI's Comfy.Graph.ConvertToSubgraph.
  {
    action: 'convertToSubgraph',
    label: 'shortcut.convertToSubgraph',
    triggers: [{ key: 'e', mod: true, shift: true }],
    handler: 'subgraph',
  },
  { action: 'autoLayout', label: 'shortcut.autoLayout', triggers: [{ key: 'l', shift: true }], handler: 'editor' },
  // Exact case: Shift+F and Caps Lock's F are not F.
  {
    action: 'fitView',
    label: 'shortcut.fitView',
    triggers: [{ key: 'f', exactCase: true, mod: false }],
    handler: 'editor',
  },
  { action: 'shortcuts', label: 'shortcut.shortcuts', triggers: [{ key: '?' }], handler: 'editor' },
] as const satisfies readonly Shortcut[];

type Entry = (typeof KEYMAP)[number];
export type ShortcutAction = Entry['action'];
/** The actions a scope's key handler must implement. */
type ActionsByScope = { readonly [S in ShortcutScope]: Extract<Entry, { handler: S }>['action'] };
export type ScopeAction<S extends ShortcutScope> = ActionsByScope[S];

/** What the matcher reads of a key event; a `KeyboardEvent` is one. */
export interface KeyInput {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

function held(wanted: boolean | undefined, actual: boolean): boolean {
  return wanted === undefined || wanted === actual;
}

export function comboMatches(combo: KeyCombo, event: KeyInput): boolean {
  const key =
    combo.exactCase || combo.key.length > 1
      ? event.key === combo.key
      : event.key.toLowerCase() === combo.key.toLowerCase();
  return (
    key &&
    held(combo.mod, event.ctrlKey || event.metaKey) &&
    held(combo.shift, event.shiftKey) &&
    held(combo.alt, event.altKey)
  );
}

function isCombo(trigger: Trigger): trigger is KeyCombo {
  return 'key' in trigger;
}

function inScope<S extends ShortcutScope>(scope: S) {
  return (entry: Entry): entry is Entry & { readonly action: ScopeAction<S> } => entry.handler === scope;
}

/**
 * The action a key event asks of a scope's handler, if any. `typing`: focus is in a text field, a select or
 * editable content, where keys belong to the field.
 */
export function matchShortcut<S extends ShortcutScope>(
  event: KeyInput,
  scope: S,
  typing: boolean,
): ScopeAction<S> | undefined {
  const entry = KEYMAP.filter(inScope(scope)).find(
    (candidate: Shortcut) =>
      (!typing || candidate.whileTyping === true) &&
      candidate.triggers.some((trigger) => isCombo(trigger) && comboMatches(trigger, event)),
  );
  return entry?.action;
}

/** A trigger as the user reads it: `Ctrl+Shift+Z`, `F`, `?`; gestures in the user's language. */
export function formatTrigger(trigger: Trigger, translate: (key: MessageKey) => string): string {
  if (!isCombo(trigger)) return translate(trigger.gesture);
  const parts: string[] = [];
  if (trigger.mod) parts.push('Ctrl');
  if (trigger.alt) parts.push('Alt');
  if (trigger.shift) parts.push('Shift');
  parts.push(trigger.key.length === 1 ? trigger.key.toUpperCase() : trigger.key);
  return parts.join('+');
}

/** The first trigger of an action, for a button's tooltip. */
export function shortcutHint(action: ShortcutAction, translate: (key: MessageKey) => string): string {
  const entry: Shortcut | undefined = KEYMAP.find((candidate) => candidate.action === action);
  const first = entry?.triggers[0];
  return first ? formatTrigger(first, translate) : '';
}

/** The keys of an action, for a component that takes key names (React Flow's delete keys). */
export function shortcutKeys(action: ShortcutAction): string[] {
  const entry: Shortcut | undefined = KEYMAP.find((candidate) => candidate.action === action);
  return (entry?.triggers ?? []).flatMap((trigger) => (isCombo(trigger) ? [trigger.key] : []));
}

/** The `?` list: one line per shortcut, its triggers then what it does. */
export function shortcutLines(translate: (key: MessageKey) => string): string[] {
  return KEYMAP.map(
    (entry: Shortcut) =>
      `${entry.triggers.map((trigger) => formatTrigger(trigger, translate)).join(' / ')} ${translate(entry.label)}`,
  );
}
