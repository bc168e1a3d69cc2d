import type { Problem } from '@flickr-kit/sdk/contract';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemDetails } from './problem-details.ts';

describe('problem details', () => {
  const app = Fastify();
  const failures: Record<string, Error> = {
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

  it('shows the message of an error that says it is the client’s (a 4xx)', async () => {
    const problem = (await app.inject('/fail/teapot')).json<Problem>();
    expect(problem).toMatchObject({ status: 400, detail: 'The client sent something odd' });
  });

  it('answers 405 with Allow on a path that exists for other methods, 404 elsewhere', async () => {
    const wrongMethod = await app.inject({ method: 'DELETE', url: '/things' });
    expect([wrongMethod.statusCode, wrongMethod.headers.allow]).toEqual([405, 'POST']);
    expect(wrongMethod.json<Problem>().code).toBe('method_not_allowed');
    const nowhere = await app.inject('/nothing/here');
    expect([nowhere.statusCode, nowhere.json<Problem>().code]).toEqual([404, 'not_found']);
  });
});
