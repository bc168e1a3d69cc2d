import PQueue from 'p-queue';
import { abortError } from '../../core/retry.ts';
import { digestOf as hashOf } from '../local-file.ts';
import { digestOf, type Item, type UploadReport } from './upload-report.ts';

/** A file whose content an earlier one of the batch has. */
export interface Twin {
  item: Item;
  first: Item;
}

/**
 * Stage 1: hashes the files a few at a time (hashing is bound by the disk),
 * in input order, handing each new content on as soon as it is known. A
 * content seen before is a twin: it waits for its first file's outcome.
 */
export async function hashStage(
  report: UploadReport,
  concurrency: number,
  onHashed: (item: Item) => void,
): Promise<Twin[]> {
  const queue = new PQueue({ concurrency });
  const firsts = new Map<string, Item>();
  const twins: Twin[] = [];
  for (const item of report.items) {
    void queue.add(async () => {
      try {
        if (report.signal.aborted) throw abortError(report.signal);
        item.digest = item.file.digest ?? (await hashOf({ path: item.file.path }, report.signal));
        report.emit({ type: 'hashed', path: item.file.path, ...item.digest });
      } catch (error) {
        return report.fail(item, error);
      }
      const { sha256 } = digestOf(item);
      const first = firsts.get(sha256);
      if (first) twins.push({ item, first });
      else {
        firsts.set(sha256, item);
        onHashed(item);
      }
    });
  }
  await queue.onIdle();
  return twins;
}
