import { PROBLEM_CONTENT_TYPE, type Problem } from '@flickr-kit/sdk/contract';
import type { FastifyRequest } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { asProblem } from './tus-problems.ts';

const request = { id: 'req-1', log: pino({ level: 'silent' }) } as unknown as FastifyRequest;

describe('asProblem', () => {
  it.each([
    [412, 'Tus-Resumable Required\n', 'precondition_failed'],
    [460, 'Checksum mismatch\n', 'hash_mismatch'],
    [403, 'Upload-Offset header required\n', 'forbidden'],
    [501, 'Concatenation extension is not (yet) supported.\n', 'not_implemented'],
    [502, '', 'internal'],
  ] as const)(
    'turns tus’s plain %i into a problem whose status is the one sent',
    async (status, text, code) => {
      const answer = await asProblem(request, new Response(text, { status }));
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
      const body = (await answer.json()) as Problem;
      expect(body).toMatchObject({ status, code, requestId: 'req-1' });
      expect(body.detail.length).toBeGreaterThan(0);
    },
  );

  it('passes problem documents (from the server’s own hooks) and successes through unchanged', async () => {
    const own = JSON.stringify({ code: 'quota_exceeded', status: 403 });
    expect(await (await asProblem(request, new Response(own, { status: 403 }))).text()).toBe(own);
    const ok = new Response(null, { status: 204 });
    expect(await asProblem(request, ok)).toBe(ok);
  });
});
