import { type ErrorCode, PROBLEM_CONTENT_TYPE } from '@flickr-kit/sdk/contract';
import type { FastifyRequest } from 'fastify';
import { problem } from '../problem.ts';

/** tus's own error bodies are plain text; their statuses map to our codes. */
const TUS_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  403: 'forbidden',
  404: 'not_found',
  409: 'upload_conflict',
  410: 'gone',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  460: 'hash_mismatch',
  501: 'not_implemented',
};

/**
 * Turns tus's plain-text error responses into problem documents; passes
 * everything else through. The document's `status` is the status sent, even
 * where tus uses one of its own (460) that no code of ours has.
 */
export async function asProblem(request: FastifyRequest, response: Response): Promise<Response> {
  if (response.status < 400) return response;
  const text = await response.text();
  let body: string;
  try {
    const parsed = JSON.parse(text) as { code?: unknown };
    if (typeof parsed.code !== 'string') throw new Error('not a problem');
    body = text;
  } catch {
    const code =
      TUS_STATUS_CODES[response.status] ?? (response.status >= 500 ? 'internal' : 'bad_request');
    if (code === 'internal')
      request.log.error({ status: response.status, detail: text.trim() }, 'tus request failed');
    body = JSON.stringify(
      problem(request, {
        code,
        detail:
          text.trim() || response.statusText || `The upload endpoint answered ${response.status}`,
        status: response.status,
      }),
    );
  }
  const headers = new Headers(response.headers);
  headers.set('content-type', PROBLEM_CONTENT_TYPE);
  headers.set('content-length', String(Buffer.byteLength(body)));
  return new Response(body, { status: response.status, headers });
}
