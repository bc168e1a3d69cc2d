import { fileURLToPath } from 'node:url';

/**
 * The path of a committed HEIC fixture in `fixtures/heic/`, made by
 * `make-fixtures.sh` from examples/photos (see its README). They are in the
 * repository, so no suite skips for want of them.
 */
export const heicFixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/heic/${name}`, import.meta.url));
