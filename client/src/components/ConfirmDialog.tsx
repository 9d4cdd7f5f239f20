import { useAtomValue } from 'jotai';
import { useEffect, useRef } from 'react';
import { useT } from '../i18n/use-t.js';
import { confirmAtom } from '../state/confirm.js';

/**
 * The open question, if any: Enter or the confirm button confirms; Escape, Cancel or a click outside cancels; a third
 * button, when the question has one, gives the alternative answer.
 */
export function ConfirmDialog() {
  const t = useT();
  const pending = useAtomValue(confirmAtom);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!pending) return;
    confirmButton.current?.focus();
    // Captured before the editor's shortcuts see the key: while the question is open, Enter and Escape answer it.
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Enter' && event.key !== 'Escape') return;
      event.preventDefault();
      event.stopImmediatePropagation();
      pending.answer(event.key === 'Enter' ? 'confirm' : 'cancel');
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [pending]);
  if (!pending) return null;
  return (
    <div className="dialog" onClick={() => pending.answer('cancel')}>
      <div
        className="dialog-body confirm-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        onClick={(event) => event.stopPropagation()}
        data-testid="confirm-dialog"
      >
        <h3 id="confirm-title">{pending.title}</h3>
        <p>{pending.message}</p>
        <div className="confirm-buttons">
          <button onClick={() => pending.answer('cancel')} data-testid="confirm-cancel">
            {t('cancel')}
          </button>
          {pending.alternative !== undefined && (
            <button onClick={() => pending.answer('alternative')} data-testid="confirm-alternative">
              {pending.alternative}
            </button>
          )}
          <button
            ref={confirmButton}
            className={pending.danger ? 'danger' : 'primary'}
            onClick={() => pending.answer('confirm')}
            data-testid="confirm-ok"
          >
            {pending.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
