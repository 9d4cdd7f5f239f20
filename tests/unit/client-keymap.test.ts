import { describe, expect, it } from 'vitest';
import { translate, type MessageKey } from '../../client/src/i18n/messages.js';
import {
  KEYMAP,
  formatTrigger,
  matchShortcut,
  shortcutHint,
  shortcutKeys,
  shortcutLines,
  type KeyInput,
  type ShortcutScope,
} from '../../client/src/keyboard/keymap.js';

const press = (key: string, held: Partial<Omit<KeyInput, 'key'>> = {}): KeyInput => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...held,
});
const ctrl = (key: string, held: Partial<Omit<KeyInput, 'key'>> = {}) => press(key, { ctrlKey: true, ...held });
const editor = (event: KeyInput, typing = false) => matchShortcut(event, 'editor', typing);
const canvas = (event: KeyInput, typing = false) => matchShortcut(event, 'canvas', typing);
const en = (key: MessageKey) => translate('en', key);
const zh = (key: MessageKey) => translate('zh-CN', key);

describe('keymap matcher', () => {
  it('maps each editor shortcut to its action, Ctrl or ⌘ alike', () => {
    expect(editor(ctrl('Enter'))).toBe('run');
    expect(editor(press('Enter', { metaKey: true }))).toBe('run');
    expect(editor(ctrl('s'))).toBe('save');
    expect(editor(ctrl('S', { shiftKey: true }))).toBe('save');
    expect(editor(ctrl('a'))).toBe('selectAll');
    expect(editor(ctrl('z'))).toBe('undo');
    expect(editor(ctrl('Z', { shiftKey: true }))).toBe('redo');
    expect(editor(ctrl('y'))).toBe('redo');
    expect(editor(ctrl('c'))).toBe('copy');
    expect(editor(ctrl('d'))).toBe('duplicate');
    expect(editor(ctrl('b'))).toBe('bypass');
    expect(editor(ctrl('m'))).toBe('mute');
    expect(editor(ctrl('g'))).toBe('group');
    expect(editor(press('c', { altKey: true }))).toBe('collapse');
    expect(editor(press('L', { shiftKey: true }))).toBe('autoLayout');
    expect(editor(ctrl('L', { shiftKey: true }))).toBe('autoLayout');
    expect(editor(press('f'))).toBe('fitView');
    expect(editor(press('f', { altKey: true }))).toBe('fitView');
    expect(editor(press('?', { shiftKey: true }))).toBe('shortcuts');
  });

  it('leaves other keys alone', () => {
    expect(editor(press('s'))).toBeUndefined();
    expect(editor(press('Enter'))).toBeUndefined();
    expect(editor(press('l'))).toBeUndefined();
    expect(editor(ctrl('f'))).toBeUndefined();
    expect(editor(press('F', { shiftKey: true }))).toBeUndefined();
    expect(editor(press('F'))).toBeUndefined();
    expect(editor(ctrl('v'))).toBeUndefined();
    expect(editor(press('Delete'))).toBeUndefined();
    expect(editor(press('a'))).toBeUndefined();
  });

  it('gives Ctrl+Alt+C to copy, not collapse', () => {
    expect(editor(ctrl('c', { altKey: true }))).toBe('copy');
  });

  it('while typing in a field, only Ctrl+Enter runs', () => {
    expect(editor(ctrl('Enter'), true)).toBe('run');
    expect(editor(ctrl('s'), true)).toBeUndefined();
    expect(editor(ctrl('z'), true)).toBeUndefined();
    expect(editor(press('f'), true)).toBeUndefined();
    expect(editor(press('?'), true)).toBeUndefined();
    expect(canvas(press('a'), true)).toBeUndefined();
  });

  it('gives the canvas A (with or without Shift) and nothing else', () => {
    expect(canvas(press('a'))).toBe('addAfterSelected');
    expect(canvas(press('A', { shiftKey: true }))).toBe('addAfterSelected');
    expect(canvas(ctrl('a'))).toBeUndefined();
    expect(canvas(press('a', { metaKey: true }))).toBeUndefined();
    expect(canvas(press('a', { altKey: true }))).toBeUndefined();
    expect(canvas(ctrl('Enter'))).toBeUndefined();
  });

  it('matches no key event to two entries, in one scope or across both', () => {
    const keys = ['Enter', 'Delete', 'Backspace', '?', ...'abcdefghijklmnopqrstuvwxyz'];
    const scopes: ShortcutScope[] = ['editor', 'canvas', 'subgraph'];
    for (const base of keys)
      for (const key of new Set([base, base.toUpperCase()]))
        for (let held = 0; held < 16; held++) {
          const event = press(key, {
            ctrlKey: (held & 1) !== 0,
            metaKey: (held & 2) !== 0,
            shiftKey: (held & 4) !== 0,
            altKey: (held & 8) !== 0,
          });
          const matches = scopes.flatMap((scope) => matchShortcut(event, scope, false) ?? []);
          expect(matches.length, `${key} ${held}`).toBeLessThanOrEqual(1);
        }
  });
});

/** The editor's key handling as it was written before the keymap, as a reference. */
function handWrittenEditor(event: KeyInput, typing: boolean): string | undefined {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && event.key === 'Enter') return 'run';
  if (typing) return undefined;
  if (mod && key === 's') return 'save';
  if (mod && key === 'a') return 'selectAll';
  if (mod && key === 'z' && !event.shiftKey) return 'undo';
  if (mod && (key === 'y' || (key === 'z' && event.shiftKey))) return 'redo';
  if (mod && key === 'c') return 'copy';
  if (mod && key === 'd') return 'duplicate';
  if (mod && key === 'b') return 'bypass';
  if (mod && key === 'm') return 'mute';
  if (mod && key === 'g') return 'group';
  if (event.altKey && key === 'c') return 'collapse';
  if (event.shiftKey && key === 'l') return 'autoLayout';
  if (event.key === 'f' && !mod) return 'fitView';
  if (event.key === '?') return 'shortcuts';
  return undefined;
}

function handWrittenCanvas(event: KeyInput, typing: boolean): string | undefined {
  if (event.key.toLowerCase() !== 'a' || event.ctrlKey || event.metaKey || event.altKey || typing) return undefined;
  return 'addAfterSelected';
}

describe('keymap against the hand-written handlers it replaced', () => {
  it('picks the same action for every key, modifier and focus', () => {
    const keys = ['Enter', 'Delete', 'Escape', '?', '/', ...'abcdefghijklmnopqrstuvwxyz'];
    for (const base of keys)
      for (const key of new Set([base, base.toUpperCase()]))
        for (let held = 0; held < 32; held++) {
          const event = press(key, {
            ctrlKey: (held & 1) !== 0,
            metaKey: (held & 2) !== 0,
            shiftKey: (held & 4) !== 0,
            altKey: (held & 8) !== 0,
          });
          const typing = (held & 16) !== 0;
          expect(editor(event, typing), `${key} ${held}`).toBe(handWrittenEditor(event, typing));
          expect(canvas(event, typing), `${key} ${held}`).toBe(handWrittenCanvas(event, typing));
        }
  });
});

describe('shortcut list', () => {
  it('is generated from the table, one line per entry, in English', () => {
    expect(shortcutLines(en)).toEqual([
      'Ctrl+Enter run',
      'Ctrl+S save',
      'Ctrl+Z undo',
      'Ctrl+Shift+Z / Ctrl+Y redo',
      'Ctrl+C copy',
      'Ctrl+V paste',
      'Ctrl+D duplicate',
      'Ctrl+A select all',
      'Ctrl+B bypass',
      'Ctrl+M mute',
      'Alt+C collapse',
      'Delete / Backspace remove',
      'Double-click canvas add node',
      'Middle or right drag / Drag on empty canvas (Left-drag: pan) pan the canvas',
      'Ctrl+drag on the canvas / Drag on empty canvas (Left-drag: select) box-select nodes (Shift held: add to the selection)',
      'Double-click a wire put a reroute point on it',
      'A add a node after the selected one',
      'Ctrl+G group',
      'Ctrl+Shift+E convert the selection to a subgraph',
      'Shift+L auto-arrange',
      'F fit view',
      '? this list',
    ]);
    expect(shortcutLines(en)).toHaveLength(KEYMAP.length);
  });

  it('and in Chinese', () => {
    const lines = shortcutLines(zh);
    expect(lines[0]).toBe('Ctrl+Enter 运行');
    expect(lines).toContain('双击画布 添加节点');
    expect(lines).toContain('A 在所选节点后添加节点');
    expect(lines).toContain('双击连线 在其上添加转接点');
    expect(lines.at(-1)).toBe('? 本列表');
  });

  it('formats triggers and gives a button its first one', () => {
    expect(formatTrigger({ key: 'z', mod: true, shift: true }, en)).toBe('Ctrl+Shift+Z');
    expect(formatTrigger({ key: 'c', alt: true, mod: false }, en)).toBe('Alt+C');
    expect(formatTrigger({ gesture: 'shortcut.doubleClickCanvas' }, zh)).toBe('双击画布');
    expect(shortcutHint('undo', en)).toBe('Ctrl+Z');
    expect(shortcutHint('redo', en)).toBe('Ctrl+Shift+Z');
    expect(shortcutHint('autoLayout', en)).toBe('Shift+L');
    expect(shortcutKeys('delete')).toEqual(['Delete', 'Backspace']);
    expect(shortcutKeys('addNode')).toEqual([]);
  });
});
