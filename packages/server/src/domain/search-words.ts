import { DomainError } from './errors.ts';

/** More words than this make a query that finds nothing anyone meant: refused, not truncated. */
export const MAX_SEARCH_WORDS = 8;

/**
 * The words of a query: runs of letters and digits, lowercased, each once.
 * Everything else separates words, so quotes, operators and parentheses of
 * FTS5 or tsquery syntax never reach a database as syntax.
 */
export function searchWords(query: string): string[] {
  const words = [
    ...new Set(
      query
        .normalize('NFC')
        .toLowerCase()
        .match(/[\p{L}\p{N}]+/gu) ?? [],
    ),
  ];
  if (words.length === 0)
    throw new DomainError(
      'bad_request',
      'The query has no words to search for: give letters or digits',
    );
  if (words.length > MAX_SEARCH_WORDS)
    throw new DomainError(
      'bad_request',
      `The query has ${words.length} words; search for at most ${MAX_SEARCH_WORDS}`,
    );
  return words;
}
