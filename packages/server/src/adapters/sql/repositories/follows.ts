import type { FollowRecord, FollowRepository, Keyset } from '../../../ports/metadata-store.ts';
import type { SqlContext } from './executor.ts';

type Side = 'followers' | 'following';

/** The column a list is keyed on: a user's followers are the follows whose followee it is. */
const ownerColumn = (side: Side) =>
  side === 'followers' ? ('follows.followeeId' as const) : ('follows.followerId' as const);

export class SqlFollowRepository implements FollowRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  #withUsers() {
    return this.#sql.db
      .selectFrom('follows')
      .innerJoin('users as follower', 'follower.id', 'follows.followerId')
      .innerJoin('users as followee', 'followee.id', 'follows.followeeId')
      .select([
        'follows.id',
        'follows.followerId',
        'follows.followeeId',
        'follows.createdAt',
        'follower.username as followerName',
        'followee.username as followeeName',
      ]);
  }

  async follow(follow: {
    id: string;
    followerId: string;
    followeeId: string;
    createdAt: string;
  }): Promise<FollowRecord | undefined> {
    // The pair's unique constraint decides a race: the loser inserts nothing
    // (PostgreSQL makes it wait for the winner's commit) and reads the winner's row.
    await this.#sql.db
      .insertInto('follows')
      .values(follow)
      .onConflict((conflict) => conflict.columns(['followeeId', 'followerId']).doNothing())
      .execute();
    const row = await this.#withUsers()
      .where('follows.followeeId', '=', follow.followeeId)
      .where('follows.followerId', '=', follow.followerId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async unfollow(followerId: string, followeeId: string): Promise<boolean> {
    const result = await this.#sql.db
      .deleteFrom('follows')
      .where('followerId', '=', followerId)
      .where('followeeId', '=', followeeId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteInvolving(userId: string): Promise<void> {
    await this.#sql.db
      .deleteFrom('follows')
      .where((eb) => eb.or([eb('followerId', '=', userId), eb('followeeId', '=', userId)]))
      .execute();
  }

  async list(side: Side, userId: string, keyset: Keyset): Promise<FollowRecord[]> {
    let query = this.#withUsers().where(ownerColumn(side), '=', userId);
    if (keyset.after) query = query.where('follows.id', '<', keyset.after);
    if (keyset.before) query = query.where('follows.id', '>', keyset.before);
    // A `before` page is read upwards from its cursor, then turned newest first.
    const rows = await query
      .orderBy('follows.id', keyset.before ? 'asc' : 'desc')
      .limit(keyset.limit + 1)
      .execute();
    if (keyset.before) rows.reverse();
    return rows.map(toRecord);
  }

  async existsBeyond(
    side: Side,
    userId: string,
    id: string,
    direction: 'newer' | 'older',
  ): Promise<boolean> {
    const row = await this.#sql.db
      .selectFrom('follows')
      .select('id')
      .where(ownerColumn(side), '=', userId)
      .where('id', direction === 'newer' ? '>' : '<', id)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async followerIds(
    userId: string,
    afterFollowerId: string | undefined,
    limit: number,
    grantedOnly: boolean,
  ): Promise<string[]> {
    let query = this.#sql.db
      .selectFrom('follows')
      .select('follows.followerId')
      .where('follows.followeeId', '=', userId);
    if (afterFollowerId) query = query.where('follows.followerId', '>', afterFollowerId);
    if (grantedOnly)
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('grants')
            .select('grants.viewerId')
            .whereRef('grants.sharerId', '=', 'follows.followeeId')
            .whereRef('grants.viewerId', '=', 'follows.followerId'),
        ),
      );
    const rows = await query.orderBy('follows.followerId').limit(limit).execute();
    return rows.map((row) => row.followerId);
  }
}

function toRecord(row: {
  id: string;
  followerId: string;
  followeeId: string;
  createdAt: string;
  followerName: string;
  followeeName: string;
}): FollowRecord {
  return {
    id: row.id,
    follower: { id: row.followerId, username: row.followerName },
    followee: { id: row.followeeId, username: row.followeeName },
    createdAt: row.createdAt,
  };
}
