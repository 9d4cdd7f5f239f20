import { useT } from '../../i18n/use-t.js';

/** The viewer bar's zoom readout and its Fit and 1:1 buttons, the same in the lightbox and the compare view. */
export function ZoomControls({
  scale,
  onFit,
  onActualSize,
}: {
  readonly scale: number;
  readonly onFit: () => void;
  readonly onActualSize: () => void;
}) {
  const t = useT();
  return (
    <>
      <span className="viewer-zoom" title={t('viewer.zoom')} data-testid="viewer-zoom">
        {Math.round(scale * 100)}%
      </span>
      <button onClick={onFit} title={t('viewer.fitHint')} data-testid="viewer-fit">
        {t('viewer.fit')}
      </button>
      <button onClick={onActualSize} title={t('viewer.actualSizeHint')} data-testid="viewer-actual">
        {t('viewer.actualSize')}
      </button>
    </>
  );
}
