import { useAtomValue } from 'jotai';
import { useMemo } from 'react';
import type { UiImageRef } from '../../../../shared/protocol.js';
import { runSettings, type RunSettings } from '../../execution/run-settings.js';
import { runOfImage, type ImageRun } from '../../execution/viewer-runs.js';
import type { MessageKey } from '../../i18n/messages.js';
import { useT } from '../../i18n/use-t.js';
import { runHistoryAtom } from '../../state/viewer-atoms.js';

/** The run that made `image`, from the server's history (undefined while it is not there). */
export function useImageRun(image: UiImageRef | undefined): ImageRun | undefined {
  const entries = useAtomValue(runHistoryAtom);
  return useMemo(() => (image ? runOfImage(entries, image) : undefined), [entries, image]);
}

/** The settings rows, in the order a ComfyUI user reads them; a value the graph does not tell is left out. */
function settingRows(settings: RunSettings, batchOf: (count: number) => string): [MessageKey, string][] {
  const rows: [MessageKey, string | number | undefined][] = [
    ['viewer.seed', settings.seed],
    ['viewer.steps', settings.steps],
    ['viewer.cfg', settings.cfg],
    ['viewer.sampler', settings.samplerName],
    ['viewer.scheduler', settings.scheduler],
    ['viewer.denoise', settings.denoise],
    [
      'viewer.size',
      settings.width !== undefined && settings.height !== undefined
        ? `${settings.width}×${settings.height}${settings.batchSize !== undefined && settings.batchSize > 1 ? ` ${batchOf(settings.batchSize)}` : ''}`
        : undefined,
    ],
    ['viewer.model', settings.model],
  ];
  return rows.flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]]));
}

/** The side of the lightbox: the run's prompt texts, seed and settings, and "Load this workflow". */
export function RunInfo({
  image,
  loading,
  onLoadWorkflow,
}: {
  readonly image: UiImageRef;
  readonly loading: boolean;
  readonly onLoadWorkflow: (document: unknown) => void;
}) {
  const t = useT();
  const run = useImageRun(image);
  const settings = useMemo(() => (run ? runSettings(run.prompt, run.nodeId) : undefined), [run]);
  if (!run || !settings)
    return (
      <aside className="viewer-info" data-testid="viewer-info">
        <p className="empty">{loading ? t('viewer.loadingRun') : t('viewer.noRun')}</p>
      </aside>
    );
  // A sampler's two sides show even when empty (an empty negative prompt is a setting too); other texts when found.
  const texts: [MessageKey, readonly string[], string][] = [
    ['viewer.positive', settings.positive, 'positive'],
    ['viewer.negative', settings.negative, 'negative'],
    ['viewer.texts', settings.texts, 'texts'],
  ];
  const shown = texts.filter(([, values, role]) => values.length > 0 || (settings.sampler && role !== 'texts'));
  return (
    <aside className="viewer-info" data-testid="viewer-info">
      {shown.map(([label, values, role]) => (
        <section key={role}>
          <h4>{t(label)}</h4>
          {(values.length === 0 ? [''] : values).map((text, index) =>
            text === '' ? (
              <p className="empty" key={index}>
                {t('viewer.emptyText')}
              </p>
            ) : (
              <p className="viewer-prompt" key={index} data-testid={`viewer-${role}`}>
                {text}
              </p>
            ),
          )}
        </section>
      ))}
      <dl>
        {settingRows(settings, (count) => t('viewer.batchOf', { count: String(count) })).map(([key, value]) => (
          <div key={key}>
            <dt>{t(key)}</dt>
            <dd data-testid={`viewer-${key.slice('viewer.'.length)}`}>{value}</dd>
          </div>
        ))}
      </dl>
      <button className="primary" onClick={() => onLoadWorkflow(run.document)} data-testid="viewer-load-workflow">
        {t('viewer.loadWorkflow')}
      </button>
    </aside>
  );
}
