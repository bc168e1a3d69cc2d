// A saga worker on a test server's own services (role `serve`), so a test
// can replace what the worker's steps see or do.
import type { SagaStep } from '@flickr-kit/sdk/contract';
import type { BlobStore } from '../src/ports/blob-store.ts';
import type { MetadataStore } from '../src/ports/metadata-store.ts';
import { STEPS, type Step } from '../src/saga/steps.ts';
import { SagaWorker } from '../src/saga/worker.ts';
import type { Services } from '../src/services.ts';

export interface InProcessWorkerOptions {
  /** The metadata store the worker uses; the server's own by default. */
  store?: MetadataStore;
  /** The private blob store the steps write to; the server's own by default. */
  blobs?: BlobStore;
  steps?: Record<SagaStep, Step>;
  /** Saga steps run at once; the configured value by default. */
  concurrency?: number;
  /** How long its claims last; the configured value by default. */
  leaseMs?: number;
}

/**
 * Starts a worker sharing the server's services. On SQLite it shares the
 * server's connection too: a second connection in the same process would
 * wait for the first one's lock with the event loop blocked.
 */
export function startInProcessWorker(
  services: Services,
  options: InProcessWorkerOptions = {},
): SagaWorker {
  const { config } = services;
  const worker = new SagaWorker(
    options.store ?? services.store,
    services.bus,
    {
      blobs: options.blobs ?? services.blobs,
      cdn: services.cdn,
      staging: services.staging,
      renditions: services.renditions,
      pixelLimit: config.pixelLimit,
      store: options.store ?? services.store,
      wakeup: services.wakeup,
    },
    {
      concurrency: options.concurrency ?? config.workerConcurrency,
      pollMs: config.workerPollMs,
      maxAttempts: config.sagaMaxAttempts,
      backoffMs: config.sagaBackoffMs,
      leaseMs: options.leaseMs ?? config.sagaLeaseMs,
    },
    services.log,
    options.steps ?? STEPS,
  );
  worker.start();
  return worker;
}
