import { useAtomValue } from 'jotai';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { NodeInfo } from '../../../../shared/node-spec.js';
import { searchNodes } from '../../graph/fuzzy.js';
import { useNodeText, useT } from '../../i18n/use-t.js';
import { localeAtom, objectInfoAtom } from '../../state/atoms.js';

export interface NodeSearchRequest {
  /** Screen position of the box, flow position for the new node. */
  readonly screen: { x: number; y: number };
  readonly flow: { x: number; y: number };
  /** Only nodes this accepts are offered (a wire dropped on empty space). */
  readonly accept?: (info: NodeInfo) => boolean;
  readonly onPick: (classType: string) => void;
}

/** The add-node search: fuzzy over names, categories and descriptions; arrow keys and Enter; Escape closes. */
export const NodeSearch = memo(function NodeSearch({
  request,
  onClose,
}: {
  request: NodeSearchRequest;
  onClose: () => void;
}) {
  const t = useT();
  const nodeText = useNodeText();
  const objectInfo = useAtomValue(objectInfoAtom);
  const locale = useAtomValue(localeAtom);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const hits = useMemo(
    () => (objectInfo ? searchNodes(query, objectInfo, locale, request.accept).slice(0, 30) : []),
    [objectInfo, query, locale, request.accept],
  );
  useEffect(() => input.current?.focus(), []);
  useEffect(() => setActive(0), [query]);
  const pick = (classType: string): void => {
    request.onPick(classType);
    onClose();
  };
  return (
    <div
      className="node-search"
      style={{ left: request.screen.x, top: request.screen.y }}
      role="dialog"
      aria-label={t('searchPlaceholder')}
      data-testid="node-search"
    >
      <input
        ref={input}
        value={query}
        placeholder={t('searchPlaceholder')}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onClose();
          else if (event.key === 'ArrowDown') setActive((index) => Math.min(index + 1, hits.length - 1));
          else if (event.key === 'ArrowUp') setActive((index) => Math.max(index - 1, 0));
          else if (event.key === 'Enter' && hits[active]) pick(hits[active].classType);
          else return;
          event.preventDefault();
        }}
        onBlur={() => setTimeout(onClose, 150)}
        aria-label={t('searchPlaceholder')}
      />
      <ul role="listbox">
        {hits.length === 0 && <li className="empty">{t('noMatches')}</li>}
        {hits.map((hit, index) => {
          const info = objectInfo![hit.classType]!;
          const text = nodeText(info);
          return (
            <li
              key={hit.classType}
              role="option"
              aria-selected={index === active}
              className={index === active ? 'active' : ''}
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => pick(hit.classType)}
              title={text.description}
            >
              <span>{text.title}</span>
              <small>{text.category}</small>
            </li>
          );
        })}
      </ul>
    </div>
  );
});
