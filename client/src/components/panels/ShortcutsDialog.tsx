import { useEffect } from 'react';
import { useT } from '../../i18n/use-t.js';
import { shortcutLines } from '../../keyboard/keymap.js';

/** The `?` list of shortcuts; a click on it or Escape closes it. */
export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="dialog" role="dialog" aria-label={t('shortcuts')} onClick={onClose}>
      <div className="dialog-body">
        <h3>{t('shortcuts')}</h3>
        <ul>
          {shortcutLines(t).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        <button onClick={onClose}>{t('close')}</button>
      </div>
    </div>
  );
}
