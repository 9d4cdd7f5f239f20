import type { AriaLabelConfig } from '@xyflow/react';
import { translate, type Locale } from './messages.js';

const ZH_DIRECTIONS: Readonly<Record<string, string>> = { up: '上', down: '下', left: '左', right: '右' };

/** React Flow's own screen-reader texts and control titles in the UI's language. Pure. */
export function ariaLabels(locale: Locale): AriaLabelConfig {
  const t = (key: Parameters<typeof translate>[1], params?: Record<string, string>) => translate(locale, key, params);
  return {
    'node.a11yDescription.default': t('aria.node'),
    'node.a11yDescription.keyboardDisabled': t('aria.nodeKeyboardDisabled'),
    'node.a11yDescription.ariaLiveMessage': ({ direction, x, y }) =>
      t('aria.nodeMoved', {
        direction: locale === 'zh-CN' ? (ZH_DIRECTIONS[direction] ?? direction) : direction,
        x: String(x),
        y: String(y),
      }),
    'edge.a11yDescription.default': t('aria.edge'),
    'controls.ariaLabel': t('aria.controls'),
    'controls.zoomIn.ariaLabel': t('aria.zoomIn'),
    'controls.zoomOut.ariaLabel': t('aria.zoomOut'),
    'controls.fitView.ariaLabel': t('aria.fitView'),
    'controls.interactive.ariaLabel': t('aria.interactive'),
    'minimap.ariaLabel': t('aria.minimap'),
    'handle.ariaLabel': t('aria.handle'),
  };
}
