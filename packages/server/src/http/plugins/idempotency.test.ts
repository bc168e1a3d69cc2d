import { setTimeout as sleep } from 'node:timers/promises';
import { defineOperation, type Scope } from '@flickr-kit/sdk/contract';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LruCache } from '../../adapters/cache/lru-cache.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Principal } from '../../domain/principal.ts';
import type { Cache } from '../../ports/cache.ts';
import { registerOperation } from '../operation-route.ts';
import { serializerCompiler, validatorCompiler } from '../zod-type-provider.ts';
import { idempotency } from './idempotency.ts';
import { problemDetails } from './problem-details.ts';

/** A cache across the network, as Redis will be: every call takes a few milliseconds. */
class DistantCache implements Cache {
  readonly #near = new LruCache();
  async get<T>(key: string) {
    await sleep(3);
    return this.#near.get<T>(key);
  }
  async set<T>(key: string, value: T, ttlMs: number) {
    await sleep(3);
    return this.#near.set(key, value, ttlMs);
  }
  async add<T>(key: string, value: T, ttlMs: number) {
    await sleep(3);
    return this.#near.add(key, value, ttlMs);
  }
  async delete(key: string) {
    await sleep(3);
    return this.#near.delete(key);
  }
}

const makeThing = defineOperation({
  id: 'makeThing',
  method: 'POST',
  path: '/things',
  summary: 'Make a thing',
  tag: 'things',
  access: 'write',
  body: z.object({ name: z.string() }),
  status: 201,
  response: z.object({ run: z.number(), name: z.string() }),
  errors: [],
});

describe('idempotency plugin', () => {
  let app: FastifyInstance;
  /** The one caller's token; tests change its scopes as an administrator would. */
  const principal = {
    user: { id: 'user-1', isAdmin: false },
    token: { id: 'token-1', scopes: ['read', 'write'] as Scope[] },
  } as Principal;
  let runs: number;
  /** What the next runs of the operation do instead of succeeding. */
  let failures: Error[];

  async function build(cache: Cache) {
    app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(problemDetails);
    await app.register(
      fp(
        async (instance: FastifyInstance) => {
          instance.decorateRequest('principal', undefined);
          instance.addHook('onRequest', async (request) => {
            if (request.headers.authorization) request.principal = principal;
          });
        },
        { name: 'authentication' },
      ),
    );
    await app.register(idempotency, { cache });
    registerOperation(app, makeThing, async ({ body }) => {
      runs++;
      await sleep(20);
      const failure = failures.shift();
      if (failure) throw failure;
      return { run: runs, name: body.name };
    });
    await app.ready();
  }

  const make = (key: string, name = 'a') =>
    app.inject({
      method: 'POST',
      url: '/things',
      headers: { authorization: 'Bearer t', 'idempotency-key': key },
      payload: { name },
    });

  beforeEach(() => {
    runs = 0;
    failures = [];
    principal.token.scopes = ['read', 'write'];
  });
  afterEach(() => app.close());

  it('checks the token’s scopes before the key: a token that lost one gets 403, not the kept answer', async () => {
    await build(new LruCache());
    expect((await make('k')).statusCode).toBe(201);
    principal.token.scopes = ['read'];
    const refused = await make('k');
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'insufficient_scope']);
    expect(refused.headers['idempotent-replayed']).toBeUndefined();
    principal.token.scopes = ['read', 'write'];
    const replayed = await make('k');
    expect([replayed.statusCode, replayed.headers['idempotent-replayed']]).toEqual([201, 'true']);
    expect(runs).toBe(1);
  });

  it('keeps no server error: the retry runs the operation again', async () => {
    await build(new LruCache());
    failures.push(new Error('connection terminated unexpectedly'));
    expect((await make('k')).statusCode).toBe(500);
    const retry = await make('k');
    expect([retry.statusCode, retry.json()]).toEqual([201, { run: 2, name: 'a' }]);
  });

  it('keeps no answer that asks to retry later', async () => {
    await build(new LruCache());
    failures.push(new DomainError('too_many_uploads', 'One at a time', { retryAfterSeconds: 2 }));
    expect((await make('k')).statusCode).toBe(429);
    expect((await make('k')).statusCode).toBe(201);
    expect(runs).toBe(2);
  });

  it('runs exactly one of concurrent requests when the cache is across the network', async () => {
    await build(new DistantCache());
    const answers = await Promise.all(Array.from({ length: 10 }, () => make('k')));
    expect(runs).toBe(1);
    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    expect(answers.filter((answer) => answer.statusCode === 201)).not.toHaveLength(0);
  });

  it('refuses a key sent twice, or one that is not printable ASCII, with 400', async () => {
    await build(new LruCache());
    for (const key of [['a', 'b'], 'é', 'x'.repeat(256)]) {
      const answer = await app.inject({
        method: 'POST',
        url: '/things',
        headers: { authorization: 'Bearer t', 'idempotency-key': key },
        payload: { name: 'a' },
      });
      expect([answer.statusCode, answer.json().code]).toEqual([400, 'bad_request']);
    }
    expect(runs).toBe(0);
  });
});
