import PQueue from 'p-queue';
import type { Limits } from '../../contract/uploads.ts';
import { clientThumbnailFields } from '../client-thumbnail.ts';
import { ThumbnailLookahead } from '../thumbnail-lookahead.ts';
import { digestOf, type Item } from './upload-report.ts';

/** Where a transfer's thumbnail fields come from. */
export interface ThumbnailSource {
  /** The item will be sent: thumbnails may be rendered ahead for it. */
  queued(item: Item): void;
  /** A transfer of `bytes` took `ms`: the network's pace, which 'auto' keeps ahead of. */
  sent(bytes: number, ms: number): void;
  fieldsFor(item: Item): Promise<Record<string, string>>;
}

/** The thumbnail source for uploadMany's `clientThumbnails` option. */
export function thumbnailSource(mode: boolean | 'auto', limits: Limits): ThumbnailSource {
  const render = (item: Item) => clientThumbnailFields({ path: item.file.path }, limits);
  if (mode === false) return { queued: () => {}, sent: () => {}, fieldsFor: async () => ({}) };
  if (mode === true) {
    // Rendered ahead on their own queue, so CPU and network overlap; each transfer waits for its own.
    const rendering = new PQueue({ concurrency: 1 });
    const ready = new Map<number, Promise<Record<string, string>>>();
    return {
      queued: (item) =>
        ready.set(item.index, rendering.add(() => render(item)) as Promise<Record<string, string>>),
      sent: () => {},
      fieldsFor: async (item) => (await ready.get(item.index)) ?? {},
    };
  }
  const lookahead = new ThumbnailLookahead();
  return {
    queued: (item) =>
      lookahead.queued({
        key: item.index,
        bytes: digestOf(item).bytes,
        render: () => render(item),
      }),
    sent: (bytes, ms) => lookahead.sent(bytes, ms),
    fieldsFor: async (item) => lookahead.take(item.index),
  };
}
