import type { MetadataStore, Repositories } from '../../ports/metadata-store.ts';
import { connectDatabase, type SqlDatabase } from './connect.ts';
import { migrateToLatest } from './migrate.ts';
import { SqlAlbumRepository } from './repositories/albums.ts';
import { SqlCommentRepository } from './repositories/comments.ts';
import type { SqlContext } from './repositories/executor.ts';
import { SqlFavoriteRepository } from './repositories/favorites.ts';
import { SqlFollowRepository } from './repositories/follows.ts';
import { SqlGrantRepository } from './repositories/grants.ts';
import { SqlNotificationRepository } from './repositories/notifications.ts';
import { SqlOriginalScrubRepository } from './repositories/original-scrubs.ts';
import { SqlOutboxRepository } from './repositories/outbox.ts';
import { SqlPhotoRepository } from './repositories/photos.ts';
import { SqlSagaAttemptRepository } from './repositories/saga-attempts.ts';
import { SqlTokenRepository } from './repositories/tokens.ts';
import { SqlUploadRepository } from './repositories/uploads.ts';
import { SqlUserSettingsRepository } from './repositories/user-settings.ts';
import { SqlUserRepository } from './repositories/users.ts';
import { sqlSearchIndex } from './search/search-index.ts';

function repositories(context: SqlContext): Repositories {
  return {
    users: new SqlUserRepository(context),
    tokens: new SqlTokenRepository(context),
    albums: new SqlAlbumRepository(context),
    photos: new SqlPhotoRepository(context),
    outbox: new SqlOutboxRepository(context),
    sagaAttempts: new SqlSagaAttemptRepository(context),
    uploads: new SqlUploadRepository(context),
    grants: new SqlGrantRepository(context),
    comments: new SqlCommentRepository(context),
    favorites: new SqlFavoriteRepository(context),
    settings: new SqlUserSettingsRepository(context),
    originalScrubs: new SqlOriginalScrubRepository(context),
    follows: new SqlFollowRepository(context),
    notifications: new SqlNotificationRepository(context),
    search: sqlSearchIndex(context),
  };
}

/** The metadata store on SQLite (embedded default) or PostgreSQL, through Kysely. */
export function createSqlMetadataStore(
  url: string | undefined,
  dataDir: string,
): MetadataStore & { description: string } {
  const database: SqlDatabase = connectDatabase(url, dataDir);
  const { db, dialect, description } = database;
  return {
    ...repositories({ db, dialect }),
    dialect,
    description,
    transaction: (work) =>
      db.transaction().execute((tx) => work(repositories({ db: tx, dialect }))),
    migrate: async () => {
      await migrateToLatest(db, dialect);
    },
    close: () => db.destroy(),
  };
}
