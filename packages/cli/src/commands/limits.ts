import type { Command } from 'commander';
import { formatBytes } from '../output/format.ts';
import { examples, type Wrap } from './define.ts';

export function limitsCommand(program: Command, wrap: Wrap): void {
  examples(
    program
      .command('limits')
      .description(
        'the server’s policies: sizes, concurrency, quota, renditions (no sign-in needed)',
      )
      .action(
        wrap(async (context) => {
          const limits = await context
            .client({ anonymous: true })
            .limits.get({ signal: context.signal });
          const rows: [string, string][] = [
            ['server', context.server()],
            ['largest upload', formatBytes(limits.maxUploadBytes)],
            ['largest image', `${(limits.pixelLimit / 1e6).toLocaleString('en-US')} megapixels`],
            ['uploads at once, per user', String(limits.uploadsInFlightPerUser)],
            [
              'original downloads at once, per user',
              String(limits.originalDownloadsInFlightPerUser),
            ],
            ['free tier', `${limits.freeTierPhotos.toLocaleString('en-US')} photos`],
            ['hashes per dedup check', String(limits.maxHashesPerCheck)],
            ['registration', limits.registration],
            [
              'renditions',
              limits.renditions
                .map((r) => `${r.name} ${r.width ?? '?'}×${r.height ?? '?'} ${r.format}`)
                .join(', '),
            ],
            [
              'client thumbnails',
              `spec ${limits.clientRendering.specVersion}, up to ${formatBytes(limits.clientRendering.maxBytes)}`,
            ],
          ];
          const width = Math.max(...rows.map(([key]) => key.length));
          context.print(
            rows.map(([key, value]) => `${key.padEnd(width)}  ${value}`).join('\n'),
            limits,
          );
          return undefined;
        }),
      ),
    ['flickr-cli limits --server http://127.0.0.1:8080', 'flickr-cli limits --json'],
  );
}
