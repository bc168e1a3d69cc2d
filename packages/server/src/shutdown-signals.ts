import type { RunningServer } from './roles.ts';

/**
 * Stops a running role gracefully on SIGTERM or SIGINT and exits: 0 when it
 * stopped cleanly, 1 when stopping failed. A second signal exits at once
 * (130), for an operator who does not want to wait out the grace period.
 */
export function stopOnSignals(server: RunningServer): void {
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130);
    server.services.log.info({ signal }, 'shutting down');
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        server.services.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
