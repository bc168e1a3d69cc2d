// Renders a file in a fresh process and prints each rendition's SHA-256, so a
// test can compare the bytes two separate processes produce.
import { createHash } from 'node:crypto';
import { renderRenditions } from '../src/index.ts';
import { DETERMINISM_SPECS } from './determinism-specs.ts';

const [path] = process.argv.slice(2);
if (!path) throw new Error('usage: render-in-child.ts FILE');
const renditions = await renderRenditions(path, DETERMINISM_SPECS);
process.stdout.write(
  JSON.stringify(renditions.map((r) => createHash('sha256').update(r.data).digest('hex'))),
);
