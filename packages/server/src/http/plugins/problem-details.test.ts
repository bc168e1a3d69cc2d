import type { Problem } from '@flickr-kit/sdk/contract';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.ts';
import { problemDetails } from './problem-details.ts';

describe('problem details', () => {
  const app = Fastify();
  const failures: Record<string, Error> = {
    syntax: new SyntaxError('Unexpected token } in JSON at position 3 ("tags" of photo 0190)'),
    unavailable: new DomainError('unavailable', 'pg: connect ECONNREFUSED 10.0.0.3:5432', {
      retryAfterSeconds: 5,
    }),
    teapot: Object.assign(new Error('The client sent something odd'), { statusCode: 400 }),
  };

  beforeAll(async () => {
    await app.register(problemDetails);
    app.get('/fail/:how', async (request) => {
      throw failures[(request.params as { how: string }).how];
    });
    app.post('/things', async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('answers a SyntaxError a handler threw with a generic 500: the server’s data, not the client’s', async () => {
    const answer = await app.inject('/fail/syntax');
    const problem = answer.json<Problem>();
    expect(problem).toMatchObject({ status: 500, code: 'internal' });
    expect(problem.detail).not.toMatch(/JSON|token|photo/);
  });

  it('keeps the code and Retry-After of a 5xx domain error, but never its message', async () => {
    const answer = await app.inject('/fail/unavailable');
    const problem = answer.json<Problem>();
    expect(problem).toMatchObject({ status: 503, code: 'unavailable', retryAfterSeconds: 5 });
    expect(answer.headers['retry-after']).toBe('5');
    expect(problem.detail).not.toMatch(/pg|10\.0\.0\.3|ECONNREFUSED/);
    expect(problem.detail).toContain(problem.requestId);
  });

  it('shows the message of an error that says it is the client’s (a 4xx)', async () => {
    const problem = (await app.inject('/fail/teapot')).json<Problem>();
    expect(problem).toMatchObject({ status: 400, detail: 'The client sent something odd' });
  });

  it('answers Fastify’s own client errors with their codes, and the table’s detail where it has one', async () => {
    const post = (contentType: string, payload: string) =>
      app.inject({
        method: 'POST',
        url: '/things',
        headers: { 'content-type': contentType },
        payload,
      });
    const wrongType = (await post('application/x-www-form-urlencoded', 'a=b')).json<Problem>();
    expect(wrongType).toMatchObject({
      status: 415,
      code: 'unsupported_media_type',
      detail: 'No body of this Content-Type is read here: send application/json',
    });
    const broken = (await post('application/json', '{')).json<Problem>();
    expect(broken).toMatchObject({ status: 400, code: 'malformed_json' });
    expect(broken.detail).toMatch(/not valid JSON/);
  });

  it('answers 405 with Allow on a path that exists for other methods, 404 elsewhere', async () => {
    const wrongMethod = await app.inject({ method: 'DELETE', url: '/things' });
    expect([wrongMethod.statusCode, wrongMethod.headers.allow]).toEqual([405, 'POST']);
    expect(wrongMethod.json<Problem>().code).toBe('method_not_allowed');
    const nowhere = await app.inject('/nothing/here');
    expect([nowhere.statusCode, nowhere.json<Problem>().code]).toEqual([404, 'not_found']);
  });
});
