import type { RenditionSpec } from '../src/index.ts';

/** Every output format and both fits, so determinism covers each encoder. */
export const DETERMINISM_SPECS: RenditionSpec[] = [
  { name: 'thumbnail', width: 50, height: 500 },
  { name: 'square', width: 75, height: 75, fit: 'cover', format: 'webp' },
  { name: 'medium', width: 240, format: 'png' },
  { name: 'modern', width: 120, format: 'avif' },
];
