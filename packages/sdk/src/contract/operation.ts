import type { z } from 'zod';
import type { Scope } from './common.ts';
import type { ErrorCode } from './errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call an operation: anyone (`public`); anyone, but a signed-in
 * caller's token needs the read scope (`public-read`: what a caller sees
 * depends on who it is); any signed-in user; or a token with a scope (the
 * admin scope also needs an admin user).
 */
export type Access = 'public' | 'public-read' | 'user' | Scope;

/**
 * One API operation, as data. The server registers its route from it, the
 * SDK builds its typed call from it, and the OpenAPI document is generated
 * from the list of them.
 */
export interface Operation<
  Params extends z.ZodType = z.ZodType,
  Query extends z.ZodType = z.ZodType,
  Body extends z.ZodType = z.ZodType,
  Response extends z.ZodType = z.ZodType,
> {
  id: string;
  method: HttpMethod;
  /** Fastify-style path, e.g. `/v1/photos/:id`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: Params;
  query?: Query;
  body?: Body;
  /** Success status; 204 has no body. */
  status: 200 | 201 | 202 | 204;
  response?: Response;
  /** Error codes worth documenting beyond the ones every route can return. */
  errors: readonly ErrorCode[];
}

/** Declares an operation, keeping its schema types for inference. */
export function defineOperation<
  Params extends z.ZodType = z.ZodNever,
  Query extends z.ZodType = z.ZodNever,
  Body extends z.ZodType = z.ZodNever,
  Response extends z.ZodType = z.ZodNever,
>(operation: Operation<Params, Query, Body, Response>): Operation<Params, Query, Body, Response> {
  return operation;
}

export type ParamsOf<O> =
  O extends Operation<infer P, z.ZodType, z.ZodType, z.ZodType> ? z.infer<P> : never;
export type QueryOf<O> =
  O extends Operation<z.ZodType, infer Q, z.ZodType, z.ZodType> ? z.input<Q> : never;
export type BodyOf<O> =
  O extends Operation<z.ZodType, z.ZodType, infer B, z.ZodType> ? z.input<B> : never;
export type ResponseOf<O> =
  O extends Operation<z.ZodType, z.ZodType, z.ZodType, infer R> ? z.output<R> : never;
