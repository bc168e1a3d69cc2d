import type { Operation } from '@flickr-kit/sdk/contract';
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { z } from 'zod';
import { DomainError } from '../domain/errors.ts';
import { authorize, type Principal } from '../domain/principal.ts';

const MUTATING = new Set(['POST', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** An operation with a body reads JSON: a body declared as anything else is a 415. */
async function refuseNonJson(request: FastifyRequest): Promise<void> {
  const type = request.headers['content-type'];
  if (type !== undefined && !JSON_TYPE.test(type))
    throw new DomainError(
      'unsupported_media_type',
      `This operation reads application/json, not ${type.split(';')[0]}`,
    );
}

/** The parsed type of an optional schema; operations without one get `undefined`. */
type Infer<S> = [NonNullable<S>] extends [z.ZodNever]
  ? undefined
  : z.output<NonNullable<S> & z.ZodType>;
type Returned<S> = [NonNullable<S>] extends [z.ZodNever]
  ? undefined
  : z.input<NonNullable<S> & z.ZodType>;

export interface OperationInput<O extends Operation> {
  params: Infer<O['params']>;
  query: Infer<O['query']>;
  body: Infer<O['body']>;
  /** The caller; present whenever the operation is not public. */
  principal: O['access'] extends 'public' | 'public-read' ? Principal | undefined : Principal;
  request: FastifyRequest;
}

export type OperationHandler<O extends Operation> = (
  input: OperationInput<O>,
) => Promise<Returned<O['response']>>;

/**
 * Registers a contract operation: method, path and every schema come from
 * the contract, access is checked before the handler, and the success status
 * is the operation's. Handlers stay thin: parse, call the domain, return.
 * POST, PATCH and DELETE honour `Idempotency-Key`, checked once access is
 * (plugins/idempotency.ts).
 */
export function registerOperation<O extends Operation>(
  app: FastifyInstance,
  operation: O,
  handler: OperationHandler<O>,
  options: Pick<RouteShorthandOptions, 'config'> = {},
): void {
  app.route({
    method: operation.method,
    url: operation.path,
    ...options,
    config: { ...options.config, idempotent: MUTATING.has(operation.method) },
    schema: {
      ...(operation.params ? { params: operation.params } : {}),
      ...(operation.query ? { querystring: operation.query } : {}),
      ...(operation.body ? { body: operation.body } : {}),
      ...(operation.response ? { response: { [operation.status]: operation.response } } : {}),
    },
    // Fastify reads text/plain too: a body in it would fail the schema with a 400
    // about its shape, when what is wrong is its type.
    ...(operation.body ? { preValidation: refuseNonJson } : {}),
    preHandler: async (request) => {
      authorize(request.principal, operation.access);
    },
    handler: async (request, reply) => {
      const result = await handler({
        params: request.params,
        query: request.query,
        body: request.body,
        principal: request.principal,
        request,
      } as OperationInput<O>);
      reply.code(operation.status);
      return operation.status === 204 ? reply.send() : result;
    },
  });
}
