// A deployment of many processes, as an operator runs one past a single
// machine: API, worker and CDN processes of the real binary, each with a data
// folder of its own, sharing only PostgreSQL, an S3 bucket (fauxqs, started
// here), the signing key and, when given, the broker and the cache. Workers
// are the saga-worker fixture (the `worker` role as the binary runs it) so a
// test can make one die inside a step.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { FlickrClient, MemoryUploadStateStore } from '@flickr-kit/sdk';
import { loadConfig } from '@flickr-kit/server';
import { type BinaryProcess, startBinary } from '../../packages/server/test/binary-process.ts';
import { createPostgresDatabase, type TestDatabase } from '../../packages/server/test/harness.ts';
import {
  startS3Server,
  TEST_S3_CREDENTIALS,
  TEST_S3_REGION,
  type TestS3Server,
} from '../../packages/server/test/s3-server.ts';
import {
  startWorkerProcess,
  type WorkerFaults,
  type WorkerProcess,
} from '../../packages/server/test/worker-process.ts';

export interface DeploymentOptions {
  apis?: number;
  workers?: number;
  cdns?: number;
  /** Settings every process gets on top of the deployment's own (a broker, a cache). */
  env?: Record<string, string>;
}

export interface Deployment {
  apis: BinaryProcess[];
  cdns: BinaryProcess[];
  workers: WorkerProcess[];
  s3: TestS3Server;
  bucket: string;
  /** The bucket's object names under a prefix. */
  objects(prefix: string): Promise<string[]>;
  /** What every process is configured with. */
  env: Record<string, string>;
  /** A worker more (or again, after one died), with faults to inject. */
  startWorker(faults?: WorkerFaults): Promise<WorkerProcess>;
  /** A new account, and an SDK client signed in as it through an API process. */
  client(api?: number): Promise<FlickrClient & { username: string; token: string }>;
  /** The same account's client through another API process. */
  clientAt(api: number, token: string): FlickrClient;
  stop(): Promise<void>;
}

export async function startDeployment(options: DeploymentOptions = {}): Promise<Deployment> {
  const folders: string[] = [];
  const folder = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flickr-deployment-'));
    folders.push(dir);
    return dir;
  };
  const database: TestDatabase = await createPostgresDatabase();
  const s3 = await startS3Server();
  const bucket = await s3.createBucket();
  const client = s3.client();
  const env: Record<string, string> = {
    DATABASE_URL: database.url as string,
    FLICKR_BLOB_STORE: 's3',
    FLICKR_UPLOAD_STAGING: 's3',
    FLICKR_S3_ENDPOINT: s3.endpoint,
    FLICKR_S3_REGION: TEST_S3_REGION,
    FLICKR_S3_BUCKET: bucket,
    FLICKR_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: TEST_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_S3_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    FLICKR_SIGNING_KEY: randomBytes(32).toString('hex'),
    FLICKR_WORKER_POLL_MS: '50',
    FLICKR_SAGA_BACKOFF_MS: '50',
    // A step a killed worker held is taken over once its lease lapses: short, so the suite is.
    FLICKR_SAGA_LEASE_MS: '1000',
    FLICKR_LOGIN_ATTEMPTS_PER_MINUTE: '1000',
    FLICKR_LOG_LEVEL: 'warn',
    ...options.env,
  };
  const apis: BinaryProcess[] = [];
  const cdns: BinaryProcess[] = [];
  const workers: WorkerProcess[] = [];
  const startWorker = async (faults: WorkerFaults = {}) => {
    const dataDir = await folder();
    const config = loadConfig({ ...env, FLICKR_DATA_DIR: dataDir });
    const worker = startWorkerProcess({ dataDir, config }, { env, faults });
    workers.push(worker);
    // One that dies on purpose never becomes ready.
    await Promise.race([worker.ready, worker.exited]);
    return worker;
  };
  const stop = async () => {
    await Promise.allSettled([
      ...workers.map((worker) => worker.stop()),
      ...[...apis, ...cdns].map((process) => process.terminate()),
    ]);
    await s3.stop();
    await database.drop();
    await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  try {
    // The CDN processes first: the API processes sign URLs for the first of them.
    for (let i = 0; i < (options.cdns ?? 2); i++)
      cdns.push(await startBinary(['cdn'], { ...env, FLICKR_DATA_DIR: await folder() }));
    for (let i = 0; i < (options.apis ?? 2); i++)
      apis.push(
        await startBinary(['serve'], {
          ...env,
          FLICKR_DATA_DIR: await folder(),
          FLICKR_CDN_URL: cdns[0]?.url as string,
        }),
      );
    for (let i = 0; i < (options.workers ?? 2); i++) await startWorker();
  } catch (error) {
    await stop();
    throw error;
  }
  const clientAt = (api: number, token: string) =>
    new FlickrClient({
      baseUrl: apis[api]?.url as string,
      token,
      uploadStateStore: new MemoryUploadStateStore(),
    });
  return {
    apis,
    cdns,
    workers,
    s3,
    bucket,
    env,
    startWorker,
    clientAt,
    objects: async (prefix) => {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key) names.push(object.Key);
        token = page.NextContinuationToken;
      } while (token);
      return names;
    },
    client: async (api = 0) => {
      const anonymous = new FlickrClient({ baseUrl: apis[api]?.url as string });
      const username = `u${randomBytes(4).toString('hex')}`;
      const { token } = await anonymous.auth.register(username, 'a long passphrase');
      await anonymous.close();
      return Object.assign(clientAt(api, token), { username, token });
    },
    stop,
  };
}
