// Migrations on PostgreSQL while other schemas of the same database come and
// go (other deployments, parallel test servers): ours must not depend on them.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/adapters/sql/connect.ts';
import { migrateToLatest } from '../src/adapters/sql/migrate.ts';
import { createTestDatabase, TEST_DATABASE } from './harness.ts';
import { POSTGRES_URL } from './postgres-server.ts';

describe.skipIf(TEST_DATABASE !== 'postgres')('migrations beside other schemas', () => {
  it('migrates while other schemas are created and dropped at once', async () => {
    const churn = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
    let stop = false;
    // Schemas with a table each, made and dropped as fast as the server allows.
    const churning = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const name = `churn_${randomUUID().replaceAll('-', '')}`;
        await churn.query(`create schema ${name}; create table ${name}.t (id int)`);
        await churn.query(`drop schema ${name} cascade`);
      }
    });
    const failures: unknown[] = [];
    try {
      for (let round = 0; round < 4; round++) {
        const databases = await Promise.all([createTestDatabase(), createTestDatabase()]);
        await Promise.all(
          databases.map(async (database) => {
            const { db } = connectDatabase(database.url, '');
            try {
              await migrateToLatest(db, 'postgres');
            } catch (error) {
              failures.push(error);
            } finally {
              await db.destroy();
              await database.drop();
            }
          }),
        );
      }
    } finally {
      stop = true;
      await Promise.all(churning);
      await churn.end();
    }
    expect(failures.map(String)).toEqual([]);
  });
});
