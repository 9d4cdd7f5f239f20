/** A colour per socket type, as ComfyUI users know them; other types get a stable hue from their name. */
const KNOWN: Record<string, string> = {
  MODEL: '#b39ddb',
  CLIP: '#ffd54f',
  VAE: '#ef5350',
  CONDITIONING: '#ffa726',
  LATENT: '#f48fb1',
  IMAGE: '#64b5f6',
  MASK: '#81c784',
  STRING: '#a1887f',
  INT: '#4db6ac',
  FLOAT: '#9ccc65',
  BOOLEAN: '#90a4ae',
  COMBO: '#7986cb',
  LABELS: '#4dd0e1',
};

export function typeColor(type: string): string {
  const known = KNOWN[type];
  if (known) return known;
  let hash = 0;
  for (const char of type) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 60% 60%)`;
}
