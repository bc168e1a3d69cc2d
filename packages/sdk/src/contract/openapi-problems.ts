import { ERROR_STATUS, type ErrorCode, PROBLEM_CONTENT_TYPE } from './errors.ts';

type JsonSchema = Record<string, unknown>;

/**
 * Problem responses for a set of error codes, one per HTTP status, each
 * listing its codes; `extra` adds to a status's response (headers, a note).
 */
export function problemResponses(
  codes: Iterable<ErrorCode>,
  extra: (status: number) => { note?: string; headers?: JsonSchema } = () => ({}),
): Record<string, JsonSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes))
    byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  const result: Record<string, JsonSchema> = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const { note, headers } = extra(status);
    result[String(status)] = {
      description: `Problem: ${statusCodes.join(', ')}${note ? `. ${note}` : ''}`,
      ...(headers ? { headers } : {}),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return result;
}
