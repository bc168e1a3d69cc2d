import type { UserSettingsRecord, UserSettingsRepository } from '../../../ports/metadata-store.ts';
import type { UserSettingsTable } from '../schema.ts';
import type { SqlContext } from './executor.ts';

/** What a user who never changed a setting has. */
export const SETTINGS_DEFAULTS: UserSettingsRecord = {
  commentsEnabledByDefault: true,
  locationVisibilityDefault: 'shared',
};

const toRow = (settings: Partial<UserSettingsRecord>): Partial<UserSettingsTable> => ({
  ...(settings.commentsEnabledByDefault === undefined
    ? {}
    : { commentsEnabledByDefault: settings.commentsEnabledByDefault ? 1 : 0 }),
  ...(settings.locationVisibilityDefault === undefined
    ? {}
    : { locationVisibilityDefault: settings.locationVisibilityDefault }),
});

/** Settings live in a row of their own, written the first time a user changes one. */
export class SqlUserSettingsRepository implements UserSettingsRepository {
  readonly #sql: SqlContext;
  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  async get(userId: string): Promise<UserSettingsRecord> {
    const row = await this.#sql.db
      .selectFrom('userSettings')
      .selectAll()
      .where('userId', '=', userId)
      .executeTakeFirst();
    return row
      ? {
          commentsEnabledByDefault: row.commentsEnabledByDefault === 1,
          locationVisibilityDefault: row.locationVisibilityDefault,
        }
      : SETTINGS_DEFAULTS;
  }

  async update(
    userId: string,
    changes: Partial<UserSettingsRecord>,
    at: string,
  ): Promise<UserSettingsRecord> {
    const changed = toRow(changes);
    // One statement, so two first changes at once cannot both insert.
    await this.#sql.db
      .insertInto('userSettings')
      .values({
        userId,
        commentsEnabledByDefault: SETTINGS_DEFAULTS.commentsEnabledByDefault ? 1 : 0,
        locationVisibilityDefault: SETTINGS_DEFAULTS.locationVisibilityDefault,
        ...changed,
        updatedAt: at,
      })
      .onConflict((conflict) =>
        conflict.column('userId').doUpdateSet({ ...changed, updatedAt: at }),
      )
      .execute();
    return this.get(userId);
  }

  async delete(userId: string): Promise<void> {
    await this.#sql.db.deleteFrom('userSettings').where('userId', '=', userId).execute();
  }
}
