import type { SearchIndex } from '../../../ports/search-index.ts';
import type { SqlContext } from '../repositories/executor.ts';
import { PostgresSearchIndex } from './postgres-search-index.ts';
import { SqliteSearchIndex } from './sqlite-search-index.ts';

/** The search adapter of the store's database. */
export const sqlSearchIndex = (context: SqlContext): SearchIndex =>
  context.dialect === 'postgres'
    ? new PostgresSearchIndex(context)
    : new SqliteSearchIndex(context);
