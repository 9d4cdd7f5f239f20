import { useAtomValue, useSetAtom } from 'jotai';
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import type { HistoryEntry, QueueItem } from '../../../../shared/protocol.js';
import { api, viewUrl } from '../../api/server-api.js';
import { historyErrorMessage, runOutcome } from '../../execution/run-errors.js';
import { useNodeText, useT } from '../../i18n/use-t.js';
import { useEditorActions } from '../../state/actions.js';
import { forgetLibraryEntry } from '../../graph/workflow-tabs.js';
import { executionAtom, objectInfoAtom, showToastAtom, tabsAtom } from '../../state/atoms.js';
import { useConfirm } from '../../state/confirm.js';
import { openViewerAtom } from '../../state/viewer-atoms.js';
import { GalleryPanel } from './GalleryPanel.js';

type Tab = 'palette' | 'queue' | 'history' | 'gallery' | 'library';

/** Palette, queue, history, gallery and the workflow library. */
export const SidePanel = memo(function SidePanel({ onAddNode }: { onAddNode: (classType: string) => void }) {
  const t = useT();
  const [tab, setTab] = useState<Tab>('palette');
  const tabs: [Tab, string][] = [
    ['palette', t('palette')],
    ['queue', t('queue')],
    ['history', t('history')],
    ['gallery', t('gallery')],
    ['library', t('library')],
  ];
  return (
    <aside className="side-panel">
      <nav role="tablist">
        {tabs.map(([id, label]) => (
          <button
            key={id}
            role="tab"
            aria-selected={tab === id}
            className={tab === id ? 'active' : ''}
            onClick={() => setTab(id)}
            data-testid={`tab-${id}`}
          >
            {label}
          </button>
        ))}
      </nav>
      <div className="tab-body">
        {tab === 'palette' && <Palette onAddNode={onAddNode} />}
        {tab === 'queue' && <QueuePanel />}
        {tab === 'history' && <HistoryPanel />}
        {tab === 'gallery' && <GalleryPanel />}
        {tab === 'library' && <LibraryPanel />}
      </div>
    </aside>
  );
});

const Palette = memo(function Palette({ onAddNode }: { onAddNode: (classType: string) => void }) {
  const objectInfo = useAtomValue(objectInfoAtom);
  const nodeText = useNodeText();
  const byCategory = useMemo(() => {
    const groups = new Map<string, string[]>();
    for (const info of Object.values(objectInfo ?? {}))
      groups.set(info.category, [...(groups.get(info.category) ?? []), info.name]);
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [objectInfo]);
  return (
    <div className="palette">
      {byCategory.map(([category, classes]) => (
        <details key={category} open>
          <summary data-category={category}>{nodeText(objectInfo![classes[0]!]!).category}</summary>
          {classes.map((classType) => {
            const text = nodeText(objectInfo![classType]!);
            return (
              <button
                key={classType}
                className="palette-item"
                onClick={() => onAddNode(classType)}
                title={text.description}
                data-testid={`palette-${classType}`}
              >
                {text.title}
              </button>
            );
          })}
        </details>
      ))}
    </div>
  );
});

function usePoll<T>(load: () => Promise<T | undefined>, deps: unknown[]): [T | undefined, () => void] {
  const [value, setValue] = useState<T>();
  const refresh = useCallback(() => void load().then((result) => result !== undefined && setValue(result)), deps); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(refresh, [refresh]);
  return [value, refresh];
}

const QueuePanel = memo(function QueuePanel() {
  const t = useT();
  const execution = useAtomValue(executionAtom);
  const [queue, refresh] = usePoll(async () => {
    const result = await api.queue();
    return result.ok ? result.value : undefined;
  }, [execution.queueRemaining]);
  const row = (item: QueueItem, running: boolean) => (
    <li key={item[1]}>
      <code>{item[1].slice(0, 8)}</code> #{item[0]}
      <button onClick={() => void (running ? api.interrupt(item[1]) : api.deleteFromQueue([item[1]])).then(refresh)}>
        {t('cancel')}
      </button>
    </li>
  );
  return (
    <div className="queue-panel" data-testid="queue-panel">
      {queue && (
        <p className={queue.paused ? 'queue-paused' : ''}>
          <button onClick={() => void api.setQueuePaused(!queue.paused).then(refresh)} data-testid="queue-pause">
            {queue.paused ? t('resumeQueue') : t('pauseQueue')}
          </button>{' '}
          {queue.paused && t('queuePaused')}
        </p>
      )}
      <h4>{t('running')}</h4>
      <ul>{queue?.running.map((item) => row(item, true))}</ul>
      <h4>
        {t('pending')} <button onClick={() => void api.clearQueue().then(refresh)}>{t('clear')}</button>
      </h4>
      <ul>{queue?.pending.map((item) => row(item, false))}</ul>
      {queue && queue.running.length + queue.pending.length === 0 && <p className="empty">{t('emptyQueue')}</p>}
    </div>
  );
});

const OUTCOME_LABEL = { success: 'runSucceeded', error: 'runErrored', interrupted: 'runInterrupted' } as const;

const HistoryPanel = memo(function HistoryPanel() {
  const t = useT();
  const { loadDocument } = useEditorActions();
  const openViewer = useSetAtom(openViewerAtom);
  const execution = useAtomValue(executionAtom);
  const [history] = usePoll(async () => {
    const result = await api.history(50);
    return result.ok ? Object.entries(result.value).reverse() : undefined;
  }, [execution.queueRemaining]);
  return (
    <ul className="history-panel" data-testid="history-panel">
      {history?.length === 0 && <p className="empty">{t('emptyHistory')}</p>}
      {history?.map(([id, entry]: [string, HistoryEntry]) => {
        const images = Object.values(entry.outputs).flatMap((output) => output.images ?? []);
        const image = images[0];
        const document = entry.prompt[3].extra_pnginfo?.inkgraph ?? entry.prompt[2];
        const outcome = runOutcome(entry.status);
        return (
          <li key={id} className={outcome} data-testid={`history-${id}`}>
            {image && (
              <button
                className="history-thumb"
                onClick={() => openViewer({ image, batch: images })}
                title={t('viewer.open')}
                data-testid="history-image"
              >
                <img src={viewUrl(image)} alt="" />
              </button>
            )}
            <code>{id.slice(0, 8)}</code>
            <span className="run-outcome" title={historyErrorMessage(entry.status)} data-testid="history-outcome">
              {t(OUTCOME_LABEL[outcome])}
            </span>
            {entry.status.messages.some(([type]) => type === 'execution_restarted') && (
              <span title={t('restartedRun')}>↻</span>
            )}
            <button onClick={() => loadDocument(document)} data-testid="history-reload">
              {t('reload')}
            </button>
          </li>
        );
      })}
    </ul>
  );
});

const LibraryPanel = memo(function LibraryPanel() {
  const t = useT();
  const { loadDocument } = useEditorActions();
  const confirm = useConfirm();
  const setTabs = useSetAtom(tabsAtom);
  const forget = (name: string): void => setTabs((state) => forgetLibraryEntry(state, name));
  const showToast = useSetAtom(showToastAtom);
  const [entries, refresh] = usePoll(async () => {
    const result = await api.workflows();
    return result.ok ? result.value : undefined;
  }, []);
  const [examples] = usePoll(async () => {
    const result = await api.examples();
    return result.ok ? result.value : undefined;
  }, []);
  const open = async (name: string, example: boolean): Promise<void> => {
    const result = example ? await api.loadExample(name) : await api.loadWorkflow(name);
    // A library workflow already open is shown in its tab (ComfyUI's rule); an example opens as a new document.
    if (result.ok) loadDocument(result.value, name, example ? {} : { libraryName: name });
    else showToast({ kind: 'error', text: result.reason.message });
  };
  const remove = async (name: string): Promise<void> => {
    const confirmed = await confirm({
      title: t('deleteTitle', { name }),
      message: t('deleteQuestion', { name }),
      confirmLabel: t('delete'),
      danger: true,
    });
    if (!confirmed) return;
    const deleted = await api.deleteWorkflow(name);
    if (!deleted.ok) showToast({ kind: 'error', text: deleted.reason.message });
    else forget(name);
    refresh();
  };
  return (
    <div className="library" data-testid="library">
      <ul>
        {entries?.length === 0 && <p className="empty">{t('emptyLibrary')}</p>}
        {entries?.map((entry) => (
          <li key={entry.name}>
            <button className="link" onClick={() => void open(entry.name, false)} data-testid={`library-${entry.name}`}>
              {entry.name}
            </button>
            <button onClick={() => void remove(entry.name)} aria-label={`${t('delete')} ${entry.name}`}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <h4>{t('examples')}</h4>
      <ul>
        {examples?.map((entry) => (
          <li key={entry.name}>
            <button className="link" onClick={() => void open(entry.name, true)}>
              {entry.name}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
});
