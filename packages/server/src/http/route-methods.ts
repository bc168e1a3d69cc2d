import type { HTTPMethods } from 'fastify';

/** A route path (`/v1/photos/:id`, `/cdn/*`) as a pattern over request paths. */
function pathPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) =>
      segment === '*'
        ? '.*'
        : segment.startsWith(':')
          ? '[^/]+'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Which methods the registered routes answer on a path, so that a request
 * no route takes can be told apart: a path that exists for other methods
 * is a 405 with `Allow` (RFC 9110 §15.5.6), any other a 404.
 */
export class RouteMethods {
  readonly #routes: { pattern: RegExp; methods: string[] }[] = [];

  add(method: HTTPMethods | HTTPMethods[], url: string): void {
    this.#routes.push({
      pattern: pathPattern(url),
      methods: (Array.isArray(method) ? method : [method]).map((m) => m.toUpperCase()),
    });
  }

  /** The methods some route answers on this path (as sent, without its query), sorted. */
  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.#routes)
      if (route.pattern.test(path)) for (const method of route.methods) methods.add(method);
    return [...methods].sort();
  }
}
