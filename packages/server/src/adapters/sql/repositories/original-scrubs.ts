import type { OriginalScrub, OriginalScrubRepository } from '../../../ports/metadata-store.ts';
import type { SqlContext } from './executor.ts';

export class SqlOriginalScrubRepository implements OriginalScrubRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async get(photoId: string): Promise<OriginalScrub | undefined> {
    const row = await this.#sql.db
      .selectFrom('originalScrubs')
      .select(['patches', 'sha256'])
      .where('photoId', '=', photoId)
      .executeTakeFirst();
    if (!row) return undefined;
    const patches = JSON.parse(row.patches) as [number, string][];
    return {
      patches: patches.map(([offset, bytes]) => ({ offset, bytes: Buffer.from(bytes, 'base64') })),
      sha256: row.sha256,
    };
  }

  async digests(photoIds: readonly string[]): Promise<Map<string, string>> {
    if (photoIds.length === 0) return new Map();
    const rows = await this.#sql.db
      .selectFrom('originalScrubs')
      .select(['photoId', 'sha256'])
      .where('photoId', 'in', photoIds)
      .execute();
    return new Map(rows.map((row) => [row.photoId, row.sha256]));
  }

  async put(photoId: string, scrub: OriginalScrub, at: string): Promise<void> {
    const patches = scrub.patches.map(({ offset, bytes }) => [
      offset,
      Buffer.from(bytes).toString('base64'),
    ]);
    await this.#sql.db
      .insertInto('originalScrubs')
      .values({ photoId, patches: JSON.stringify(patches), sha256: scrub.sha256, createdAt: at })
      .onConflict((conflict) => conflict.column('photoId').doNothing())
      .execute();
  }
}
