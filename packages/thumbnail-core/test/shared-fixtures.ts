import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Real images that live beside the project (`../shared/fixtures/images` from
 * the repository root), not in it. `FLICKR_FIXTURES_DIR` points elsewhere.
 */
export const FIXTURES_DIR =
  process.env.FLICKR_FIXTURES_DIR ??
  fileURLToPath(new URL('../../../../shared/fixtures/images/', import.meta.url));

export const HAVE_FIXTURES = existsSync(FIXTURES_DIR);

if (!HAVE_FIXTURES) {
  console.warn(
    `Skipping real-image suites: no fixtures at ${FIXTURES_DIR} (set FLICKR_FIXTURES_DIR)`,
  );
}

/** Image files of one fixture folder, sorted; empty when the fixtures are absent. */
export async function fixtureFiles(folder: string): Promise<string[]> {
  if (!HAVE_FIXTURES) return [];
  const names = await readdir(join(FIXTURES_DIR, folder));
  return names
    .filter((name) => /\.(jpe?g|png|gif|webp|tiff?|avif|heic)$/i.test(name))
    .sort()
    .map((name) => join(FIXTURES_DIR, folder, name));
}
