// The child side of server-process.ts: runs one role of the server (or the
// hashing sink) on FLICKR_* settings from the environment, sends its URL,
// then answers the benchmark's commands until SIGTERM.
//
//   node --conditions=source packages/server/bench/server-process-main.ts serve|all|sink
import { join } from 'node:path';
import { cpuMs, processUsage, resetPeakResidentSet } from './process-usage.ts';
import type { Command, Message, ProcessKind } from './server-process.ts';

const kind = process.argv[2] as ProcessKind;
const send = (message: Message) => process.send?.(message);

/** What one kind of process does: answer commands, tell its URL, stop. */
interface Running {
  url: string;
  run(command: Command): Promise<unknown>;
  stop(): Promise<void>;
}

const common = async (command: Command): Promise<unknown> => {
  if (command.command === 'resetPeakRss') return resetPeakResidentSet();
  if (command.command === 'usage') return processUsage();
  if (command.command === 'cpuMs') return cpuMs();
  throw new Error(`${kind} does not do ${command.command}`);
};

// The sink imports nothing of the server, so that its memory is a bare Fastify app's.
async function startSink(): Promise<Running> {
  const { startHashingSink } = await import('./hashing-sink.ts');
  const dataDir = process.env.FLICKR_DATA_DIR ?? '.';
  const app = await startHashingSink(join(dataDir, 'sink'));
  const address = app.server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    run: common,
    stop: () => app.close(),
  };
}

async function startServer(): Promise<Running> {
  // As the flickr-server binary does, before the server's modules load.
  (await import('../src/young-generation.ts')).keepYoungGenerationSmall();
  const [{ loadConfig }, { startRole }, { startInProcessWorker }, { photoRecord }] =
    await Promise.all([
      import('../src/config.ts'),
      import('../src/roles.ts'),
      import('../test/in-process-worker.ts'),
      import('../test/seed.ts'),
    ]);
  const config = loadConfig();
  const server = await startRole(kind as Exclude<ProcessKind, 'sink'>, config);
  const workers: ReturnType<typeof startInProcessWorker>[] = [];
  return {
    url: server.url ?? '',
    run: async (command) => {
      switch (command.command) {
        case 'seedPhotos':
          await server.services.store.transaction(async (tx) => {
            for (const sha256 of command.sha256)
              await tx.photos.insertUnlessDuplicate(photoRecord(command.ownerId, { sha256 }));
          });
          return undefined;
        case 'startWorker':
          // On the server's own services: a second SQLite connection in this process would block it.
          workers.push(startInProcessWorker(server.services, { concurrency: command.concurrency }));
          return undefined;
        case 'sagaAttempts': {
          const attempts = await Promise.all(
            command.photoIds.map((id) => server.services.store.sagaAttempts.forPhoto(id)),
          );
          return attempts.flat();
        }
        default:
          return common(command);
      }
    },
    stop: async () => {
      for (const worker of workers) await worker.stop(config.shutdownGraceMs);
      await server.stop();
    },
  };
}

const running = kind === 'sink' ? await startSink() : await startServer();

process.on('message', (message: Command & { id: number }) => {
  running.run(message).then(
    (result) => send({ type: 'reply', id: message.id, result }),
    (error: unknown) => send({ type: 'reply', id: message.id, error: String(error) }),
  );
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  running.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
// Never outlive the benchmark, even one that crashed.
process.on('disconnect', stop);

send({ type: 'ready', url: running.url });
