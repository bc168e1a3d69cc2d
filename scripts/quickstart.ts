// `pnpm start`: flickr-server on the embedded default (SQLite and files in
// ./data, or FLICKR_DATA_DIR), then flickr-cli doing real work against it:
// register, upload the example photos, sort them into albums by folder,
// pull the originals back, download thumbnails, and rerun the upload to
// show it sends nothing. The server keeps running until Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = process.env.FLICKR_DATA_DIR ?? join(root, 'data');
const port = process.env.FLICKR_PORT ?? '8080';
const work = join(dataDir, 'quickstart');
const photos = join(root, 'examples', 'photos');
// The CLI keeps its profile and caches beside the server's data, not in your home folder.
const cliEnv = {
  ...process.env,
  FLICKR_CONFIG_DIR: join(work, 'cli-config'),
  FLICKR_CACHE_DIR: join(work, 'cli-cache'),
  FLICKR_PROFILE: 'quickstart',
};
/** A path as typed: relative when under the working folder, absolute otherwise. */
const shown = (path: string) => {
  const near = relative(process.cwd(), path);
  return near.startsWith('..') ? path : near || '.';
};

function startServer(): Promise<ChildProcess> {
  const server = spawn(
    process.execPath,
    ['--conditions=source', join(root, 'packages/server/src/main.ts')],
    {
      // Warnings only: the CLI's output is the show here. FLICKR_LOG_LEVEL=info brings the request log back.
      env: {
        ...process.env,
        FLICKR_DATA_DIR: dataDir,
        FLICKR_PORT: port,
        FLICKR_LOG_LEVEL: process.env.FLICKR_LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'inherit', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let banner = '';
    server.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      process.stderr.write(chunk);
      banner += chunk;
      if (/API\s+http:\/\//.test(banner)) resolve(server);
    });
    server.once('exit', (code) => reject(new Error(`flickr-server exited with ${code}`)));
  });
}

/** Runs flickr-cli in front of the user, as they would type it. */
function cli(args: string[], input?: string): Promise<number> {
  console.log(`\n$ flickr-cli ${args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}`);
  const child = spawn(
    process.execPath,
    ['--conditions=source', join(root, 'packages/cli/src/main.ts'), ...args],
    { env: cliEnv, stdio: [input === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'] },
  );
  child.stdin?.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
}

const server = await startServer();
const url = `http://127.0.0.1:${port}`;
const stop = () => server.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

try {
  console.log('\nflickr-cli against it, with the example photos:');
  if ((await cli(['whoami'])) !== 0) {
    const password = randomBytes(12).toString('base64url');
    const user = `demo-${randomBytes(3).toString('hex')}`;
    if (
      (await cli(
        ['register', '--server', url, '--username', user, '--password-stdin'],
        password,
      )) !== 0
    )
      throw new Error('could not register a demo user');
  }
  await cli(['upload', '-r', shown(photos), '--wait']);
  await cli(['sync', 'push', shown(photos), '--album-per-folder']);
  await cli(['photos', 'ls']);
  await cli(['sync', 'pull', shown(join(work, 'mirror'))]);
  await cli(['download', '--out', shown(join(work, 'thumbnails')), '--resolution', 'thumbnail']);
  await cli(['upload', '-r', shown(photos)]);
  console.log(`
flickr-server keeps running at ${url} (Ctrl-C stops it). To go on with the same profile:
  export FLICKR_CONFIG_DIR=${cliEnv.FLICKR_CONFIG_DIR} FLICKR_CACHE_DIR=${cliEnv.FLICKR_CACHE_DIR} FLICKR_PROFILE=quickstart
  pnpm cli --help
`);
} catch (error) {
  console.error(`quick start: ${(error as Error).message}`);
  stop();
}
await new Promise((resolve) => server.once('exit', resolve));
