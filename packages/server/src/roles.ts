import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp, buildCdnApp } from './app.ts';
import type { Config } from './config.ts';
import { expireAbandonedUploads } from './jobs/expire-uploads.ts';
import { purgeDeletedPhotos } from './jobs/purge-deleted.ts';
import { JobScheduler } from './jobs/scheduler.ts';
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
  /** Graceful stop: no new work, in-flight requests and steps finish (or are retried elsewhere), then close. */
  stop(): Promise<void>;
}

const HOUR = 3_600_000;

/** Starts one role of the binary on a configuration. */
export async function startRole(
  role: Role,
  config: Config,
  log: Logger = createLogger(config),
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
      },
      {
        concurrency: config.workerConcurrency,
        pollMs: config.workerPollMs,
        maxAttempts: config.sagaMaxAttempts,
        backoffMs: config.sagaBackoffMs,
        leaseMs: config.sagaLeaseMs,
      },
      log,
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
        run: () =>
          purgeDeletedPhotos(
            services.store,
            [services.cdn, services.blobs],
            services.renditions,
            config.purgeAfterHours * HOUR,
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
      // Stop taking requests first; Fastify lets those in flight finish.
      await app?.close();
      await worker?.stop(config.shutdownGraceMs);
      await scheduler?.stop();
      await services.close();
    })();
    return stopping;
  };
  return { services, url, app, worker, stop };
}
