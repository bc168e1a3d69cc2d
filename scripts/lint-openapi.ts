// `pnpm lint:openapi`: the OpenAPI document through `redocly lint` with the
// recommended rules (redocly.yaml), as a server serves it: about itself
// (server `/`), and behind a public URL with a separate CDN tier. Exits with
// Redocly's code: any error fails `pnpm test`; warnings are printed.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '@flickr-kit/sdk/contract';

const root = fileURLToPath(new URL('..', import.meta.url));
const redocly = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');

const documents = {
  'served.json': buildOpenApiDocument(),
  'behind-a-proxy.json': buildOpenApiDocument({
    serverUrl: 'https://photos.example.org',
    cdnUrl: 'https://cdn.photos.example.org',
  }),
};

const dir = await mkdtemp(join(tmpdir(), 'flickr-openapi-'));
try {
  const files = await Promise.all(
    Object.entries(documents).map(async ([name, document]) => {
      const file = join(dir, name);
      await writeFile(file, JSON.stringify(document, null, 2));
      return file;
    }),
  );
  const lint = spawnSync(
    process.execPath,
    [redocly, 'lint', '--config', join(root, 'redocly.yaml'), '--format', 'stylish', ...files],
    { stdio: 'inherit', env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
  );
  if (lint.error) throw lint.error;
  process.exitCode = lint.status ?? 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}
