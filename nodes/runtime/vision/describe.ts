import type { MaskBatch } from '../../contract/socket-types.js';
import type { Label } from './vision-model.js';

/** Short descriptions of what was made — "a red apple (92%), in the centre, covering 40% of the image". Pure. */

const POSITIONS_EN = [
  'at the top left',
  'at the top',
  'at the top right',
  'on the left',
  'in the centre',
  'on the right',
  'at the bottom left',
  'at the bottom',
  'at the bottom right',
];
const POSITIONS_ZH = [
  '位于左上',
  '位于上方',
  '位于右上',
  '位于左边',
  '位于中间',
  '位于右边',
  '位于左下',
  '位于下方',
  '位于右下',
];

export function maskPlacement(mask: MaskBatch, item: number): { cell: number; coverage: number } | undefined {
  const plane = mask.width * mask.height;
  let total = 0;
  let sx = 0;
  let sy = 0;
  for (let p = 0; p < plane; p++) {
    const value = mask.data[item * plane + p]!;
    total += value;
    sx += value * (p % mask.width);
    sy += value * Math.floor(p / mask.width);
  }
  if (total < 1) return undefined;
  const cx = (sx / total + 0.5) / mask.width;
  const cy = (sy / total + 0.5) / mask.height;
  return { cell: Math.min(2, Math.floor(cy * 3)) * 3 + Math.min(2, Math.floor(cx * 3)), coverage: total / plane };
}

export function describe(
  labels: readonly Label[],
  placement: { cell: number; coverage: number } | undefined,
  language: 'en' | 'zh',
): string {
  const top = labels[0];
  const percent = (value: number): string => `${Math.round(value * 100)}%`;
  if (language === 'zh') {
    const parts = [top ? `${top.label_zh ?? top.label}（${percent(top.score)}）` : '未识别的物体'];
    if (placement) parts.push(POSITIONS_ZH[placement.cell]!, `占画面 ${percent(placement.coverage)}`);
    return parts.join('，');
  }
  const name = top ? top.label : 'an unrecognised object';
  const article = top ? (/^[aeiou]/i.test(top.label) ? 'an' : 'a') : '';
  const parts = [top ? `${article} ${name} (${percent(top.score)})` : name];
  if (placement) parts.push(POSITIONS_EN[placement.cell]!, `covering ${percent(placement.coverage)} of the image`);
  return parts.join(', ');
}
