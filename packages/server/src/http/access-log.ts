import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The one access-log line per request (Fastify's own logging, off, wrote
 * two: one as it came in, one as it went out), the same shape the CDN
 * tier's hot path writes for the requests it answers.
 */
export function logRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  request.log.info(
    { req: request, res: reply, responseTime: reply.elapsedTime },
    'request completed',
  );
  done();
}
