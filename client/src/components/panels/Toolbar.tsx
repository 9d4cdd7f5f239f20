import { useAtom, useAtomValue, useSetAtom } from 'jotai';
import { memo, useRef, useState } from 'react';
import { api } from '../../api/server-api.js';
import { readWorkflowFile, type WorkflowFile } from '../../graph/workflow-file.js';
import { isLocale } from '../../i18n/messages.js';
import { useT } from '../../i18n/use-t.js';
import { shortcutHint } from '../../keyboard/keymap.js';
import { LEFT_DRAG_MODES } from '../../keyboard/left-drag.js';
import { useEditorActions } from '../../state/actions.js';
import {
  activeModifiedAtom,
  connectedAtom,
  executionAtom,
  leftDragAtom,
  localeAtom,
  redoAtom,
  showToastAtom,
  themeAtom,
  undoAtom,
  workflowNameAtom,
} from '../../state/atoms.js';

export const Toolbar = memo(function Toolbar({
  onAutoLayout,
  onShortcuts,
  panelOpen,
  onTogglePanel,
}: {
  onAutoLayout: () => void;
  onShortcuts: () => void;
  panelOpen: boolean;
  onTogglePanel: () => void;
}) {
  const t = useT();
  const { run, save, download, loadDocument } = useEditorActions();
  const [locale, setLocale] = useAtom(localeAtom);
  const [theme, setTheme] = useAtom(themeAtom);
  const [leftDrag, setLeftDrag] = useAtom(leftDragAtom);
  const [name, setName] = useAtom(workflowNameAtom);
  const connected = useAtomValue(connectedAtom);
  const modified = useAtomValue(activeModifiedAtom);
  const execution = useAtomValue(executionAtom);
  const undo = useSetAtom(undoAtom);
  const redo = useSetAtom(redoAtom);
  const showToast = useSetAtom(showToastAtom);
  const [batch, setBatch] = useState(1);
  const file = useRef<HTMLInputElement>(null);
  const more = useRef<HTMLDetailsElement>(null);
  // A pick from the overflow menu closes it.
  const fromMenu = (action: () => void) => () => {
    if (more.current) more.current.open = false;
    action();
  };
  const openFile = async (chosen: WorkflowFile): Promise<void> => {
    const opened = await readWorkflowFile(chosen, chosen.name.toLowerCase().endsWith('.png') ? 'png' : 'json');
    if (opened) loadDocument(opened.document, opened.name);
    else showToast({ kind: 'error', text: `${t('loadFailed')}: ${chosen.name}` });
  };
  return (
    <header className="toolbar" role="toolbar">
      <button
        className={panelOpen ? 'panel-toggle active' : 'panel-toggle'}
        onClick={onTogglePanel}
        aria-label={t('togglePanel')}
        aria-pressed={panelOpen}
        title={t('togglePanel')}
        data-testid="toggle-panel"
      >
        ☰
      </button>
      <strong className="brand">{t('appTitle')}</strong>
      <button className="primary" onClick={() => void run(batch)} title={t('runHint')} data-testid="run">
        ▶ {t('run')}
      </button>
      <label className="batch">
        {t('batchCount')}
        <input
          type="number"
          min={1}
          max={100}
          value={batch}
          onChange={(event) => setBatch(Math.max(1, Math.min(100, Number(event.target.value) || 1)))}
          data-testid="batch-count"
        />
      </label>
      <button onClick={() => void api.interrupt()} disabled={!execution.runningNode} data-testid="interrupt">
        ■ {t('interrupt')}
      </button>
      <span className="separator" />
      <input
        className="workflow-name"
        value={name}
        placeholder={t('workflowName')}
        onChange={(event) => setName(event.target.value)}
        aria-label={t('workflowName')}
        data-testid="workflow-name"
      />
      {modified && (
        <span className="unsaved-marker" title={t('unsavedChanges')} data-testid="unsaved-marker">
          •
        </span>
      )}
      <button
        onClick={() => (name.trim() ? void save(name.trim()) : showToast({ kind: 'error', text: t('workflowName') }))}
        data-testid="save"
      >
        {t('save')}
      </button>
      {/* Files go in a menu so the toolbar stays one row at laptop widths. */}
      <details className="toolbar-more" ref={more}>
        <summary data-testid="more-actions">{t('moreActions')} ▾</summary>
        <div className="menu" role="menu">
          <button role="menuitem" onClick={fromMenu(() => download(false))}>
            {t('download')}
          </button>
          <button role="menuitem" onClick={fromMenu(() => download(true))}>
            {t('downloadApi')}
          </button>
          <button role="menuitem" onClick={fromMenu(() => file.current?.click())}>
            {t('upload')}
          </button>
          <div className="menu-group" role="group" aria-label={t('leftDrag')}>
            <span className="menu-heading">{t('leftDrag')}</span>
            {LEFT_DRAG_MODES.map((mode) => (
              <button
                key={mode}
                role="menuitemradio"
                aria-checked={leftDrag === mode}
                onClick={fromMenu(() => setLeftDrag(mode))}
                data-testid={`left-drag-${mode}`}
              >
                {leftDrag === mode ? '● ' : '○ '}
                {t(mode === 'pan' ? 'leftDragPan' : 'leftDragSelect')}
              </button>
            ))}
          </div>
        </div>
      </details>
      <input
        ref={file}
        type="file"
        accept=".json,.png,application/json,image/png"
        hidden
        data-testid="upload-input"
        onChange={(event) => {
          const chosen = event.target.files?.[0];
          event.target.value = '';
          if (chosen) void openFile(chosen);
        }}
      />
      <span className="separator" />
      <button onClick={() => undo()} title={shortcutHint('undo', t)}>
        ↶ {t('undo')}
      </button>
      <button onClick={() => redo()} title={shortcutHint('redo', t)}>
        ↷ {t('redo')}
      </button>
      <button onClick={onAutoLayout} title={shortcutHint('autoLayout', t)}>
        {t('autoLayout')}
      </button>
      <span className="spacer" />
      <span className={`connection ${connected ? 'on' : 'off'}`}>{connected ? t('connected') : t('disconnected')}</span>
      <select
        value={locale}
        onChange={(event) => {
          const chosen = event.target.value;
          if (isLocale(chosen)) setLocale(chosen);
        }}
        aria-label={t('language')}
        data-testid="language"
      >
        <option value="en">English</option>
        <option value="zh-CN">简体中文</option>
      </select>
      <button onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label={t('theme')}>
        {theme === 'dark' ? t('themeLight') : t('themeDark')}
      </button>
      <button onClick={onShortcuts} aria-label={t('shortcuts')}>
        ?
      </button>
    </header>
  );
});
