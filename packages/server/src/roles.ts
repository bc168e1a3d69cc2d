import { setTimeout as sleep } from 'node:timers/promises';
import type { SagaStep } from '@flickr-kit/sdk/contract';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp, buildCdnApp } from './app.ts';
import type { Config } from './config.ts';
import { expireAbandonedUploads } from './jobs/expire-uploads.ts';
import { purgeDeletedPhotos } from './jobs/purge-deleted.ts';
import { JobScheduler } from './jobs/scheduler.ts';
import { STEPS, type Step } from './saga/steps.ts';
import { SagaWorker } from './saga/worker.ts';
import { createLogger, createServices, type Services } from './services.ts';

/** `all` runs everything in one process: the embedded default. */
export const ROLES = ['all', 'serve', 'worker', 'cdn'] as const;
export type Role = (typeof ROLES)[number];

export interface RunningServer {
  services: Services;
  /** Where the API listens, for roles that serve it. */
  url: string | undefined;
  app: FastifyInstance | undefined;
  worker: SagaWorker | undefined;
  /**
   * Graceful stop: no new work; requests and steps in flight get
   * `shutdownGraceMs` to finish. Requests still running then have their
   * connections closed (a tus client resumes from what reached the disk);
   * steps still running are abandoned and their leases lapse, so another
   * worker runs them again.
   */
  stop(): Promise<void>;
}

export interface RoleOptions {
  /**
   * The saga's step implementations; its own by default. The crash tests
   * wrap some to fail or kill the process at a chosen point.
   */
  steps?: Record<SagaStep, Step>;
}

const HOUR = 3_600_000;

/**
 * Closes the API, waiting up to `graceMs` for requests in flight, then
 * closing their connections: a client that stalls mid-upload must not hold
 * shutdown forever.
 */
async function closeWithin(app: FastifyInstance, graceMs: number, log: Logger): Promise<void> {
  const closing = app.close();
  // A connection whose request finished during the grace period would otherwise stay
  // open, idle, until the client's keep-alive timer ends it, and hold the close up.
  const idleSweep = setInterval(() => app.server.closeIdleConnections(), 100);
  const grace = new AbortController();
  const outcome = await Promise.race([
    closing.then(() => 'closed' as const),
    sleep(graceMs, 'timeout' as const, { signal: grace.signal }).catch(() => 'closed' as const),
  ]);
  grace.abort();
  clearInterval(idleSweep);
  if (outcome === 'timeout') {
    log.warn('requests still running at shutdown; closing their connections');
    app.server.closeAllConnections();
    await closing;
  }
}

/** Starts one role of the binary on a configuration. */
export async function startRole(
  role: Role,
  config: Config,
  log: Logger = createLogger(config),
  options: RoleOptions = {},
): Promise<RunningServer> {
  const services = await createServices(config, log);
  let app: FastifyInstance | undefined;
  let worker: SagaWorker | undefined;
  let scheduler: JobScheduler | undefined;
  let url: string | undefined;

  if (role === 'all' || role === 'worker') {
    worker = new SagaWorker(
      services.store,
      services.bus,
      {
        blobs: services.blobs,
        cdn: services.cdn,
        staging: services.staging,
        renditions: services.renditions,
        pixelLimit: config.pixelLimit,
        store: services.store,
        wakeup: services.wakeup,
      },
      {
        concurrency: config.workerConcurrency,
        pollMs: config.workerPollMs,
        maxAttempts: config.sagaMaxAttempts,
        backoffMs: config.sagaBackoffMs,
        leaseMs: config.sagaLeaseMs,
      },
      log,
      options.steps ?? STEPS,
    );
    worker.start();
    scheduler = new JobScheduler(log);
    scheduler.start([
      {
        name: 'expire-abandoned-uploads',
        everyMs: 10 * 60_000,
        run: () => expireAbandonedUploads(services.store.uploads, services.staging),
      },
      {
        name: 'purge-deleted-photos',
        everyMs: 10 * 60_000,
        run: (signal) =>
          purgeDeletedPhotos(
            services.store,
            [services.cdn, services.blobs],
            services.renditions,
            config.purgeAfterHours * HOUR,
            Date.now(),
            signal,
          ),
      },
      {
        name: 'sweep-incoming-blobs',
        everyMs: HOUR,
        run: async () =>
          (await services.blobs.sweepIncoming(HOUR)) + (await services.cdn.sweepIncoming(HOUR)),
      },
    ]);
  }
  if (role === 'all' || role === 'serve' || role === 'cdn') {
    app = role === 'cdn' ? await buildCdnApp(services) : await buildApp(services);
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    url =
      config.publicUrl ??
      `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // Stop taking requests and claiming steps at once, with one grace period for both.
      await Promise.all([
        app && closeWithin(app, config.shutdownGraceMs, log),
        worker?.stop(config.shutdownGraceMs),
      ]);
      await scheduler?.stop();
      await services.close();
    })();
    return stopping;
  };
  return { services, url, app, worker, stop };
}
