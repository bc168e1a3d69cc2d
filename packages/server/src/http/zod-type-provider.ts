import type { FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import type { z } from 'zod';

/** Lets Fastify infer `request.params`, `query` and `body` from the contract's zod schemas. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

/** A request part that failed its schema, with zod's issues, for the problem document. */
export class RequestValidationError extends Error {
  readonly part: string;
  readonly issues: z.core.$ZodIssue[];
  readonly statusCode = 400;

  constructor(part: string, issues: z.core.$ZodIssue[]) {
    super(
      `Invalid ${part}: ${issues.map((issue) => `${[part, ...issue.path].join('.')}: ${issue.message}`).join('; ')}`,
    );
    this.name = 'RequestValidationError';
    this.part = part;
    this.issues = issues;
  }
}

/** Validates (and coerces, and strips) params, query and body with the contract's schemas. */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const result = schema.safeParse(data);
    return result.success
      ? { value: result.data }
      : {
          error: new RequestValidationError(
            httpPart === 'querystring' ? 'query' : (httpPart ?? 'request'),
            result.error.issues,
          ),
        };
  };

/**
 * Responses go through their schema too: a handler cannot leak a field the
 * contract does not name, and a drift between code and contract fails loudly.
 */
export const serializerCompiler: FastifySerializerCompiler<z.ZodType> =
  ({ schema }) =>
  (data) =>
    JSON.stringify(schema.parse(data));
