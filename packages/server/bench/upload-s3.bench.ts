// What staging uploads in S3 costs: one large file sent through the tus
// endpoint of a `serve` process whose uploads are staged in the bucket
// (FLICKR_UPLOAD_STAGING=s3: each PATCH cut into 8 MiB PutObjects), against
// the same bytes sent straight to the same bucket by the AWS SDK's managed
// upload (multipart, 8 MiB parts, four in flight): the baseline, what reaching
// the bucket costs without flickr-kit in the way. A third contender stages
// on the server's local disk (blobs still on S3), the single-machine path.
// The S3 server is fauxqs (test/s3-server.ts), in a process of its own; it
// keeps objects in memory, so each round's objects are removed after it.
// Rounds alternate between the contenders.
//
//   node --conditions=source packages/server/bench/upload-s3.bench.ts
//   BENCH_UPLOAD_MB=100 BENCH_UPLOAD_ROUNDS=3 ... (the defaults)
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { registerUser } from '../test/harness.ts';
import {
  startS3Server,
  TEST_S3_CREDENTIALS,
  TEST_S3_REGION,
  type TestS3Server,
} from '../test/s3-server.ts';
import { describeMachine } from './machine.ts';
import { type GeneratedFile, writeNoisePng } from './noise-png-file.ts';
import { percentile } from './percentiles.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';
import { tusUpload } from './tus-upload.ts';

const MiB = 2 ** 20;
const FILE_MIB = Number(process.env.BENCH_UPLOAD_MB ?? 100);
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 3);
const CHUNK_BYTES = 16 * MiB;
const PART_BYTES = 8 * MiB;

interface Contender {
  name: string;
  /** Sends the file once (round -1 is the warm-up); resolves once it is received. */
  send(file: GeneratedFile, round: number): Promise<void>;
  /** The server process, if any, whose peak memory is of interest. */
  server?: ServerProcess;
  /** Forgets what the round left (objects, staged files), so it does not pile up. */
  clean(): Promise<void>;
}

async function emptyBucket(client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key as string }));
    if (keys.length === 0) return;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
}

/** The AWS SDK's managed upload, streamed from disk: the baseline. */
async function directContender(s3: TestS3Server, client: S3Client): Promise<Contender> {
  const bucket = await s3.createBucket();
  return {
    name: 'AWS SDK managed upload straight to the bucket (baseline)',
    send: async (file, round) => {
      await new Upload({
        client,
        params: { Bucket: bucket, Key: `direct/${round}.png`, Body: createReadStream(file.path) },
        partSize: PART_BYTES,
        queueSize: 4,
      }).done();
    },
    clean: () => emptyBucket(client, bucket),
  };
}

/** tus (tus-js-client, the SDK's chunking) to a serve process on the bucket. */
async function tusContender(
  name: string,
  s3: TestS3Server,
  client: S3Client,
  staging: 's3' | 'local',
  maxBytes: number,
): Promise<Contender> {
  const bucket = await s3.createBucket();
  const server = await startServerProcess('serve', {
    FLICKR_BLOB_STORE: 's3',
    FLICKR_S3_ENDPOINT: s3.endpoint,
    FLICKR_S3_REGION: TEST_S3_REGION,
    FLICKR_S3_BUCKET: bucket,
    FLICKR_S3_FORCE_PATH_STYLE: 'true',
    FLICKR_UPLOAD_STAGING: staging,
    FLICKR_MAX_UPLOAD_BYTES: String(maxBytes),
    FLICKR_PIXEL_LIMIT: String(1e9),
    AWS_ACCESS_KEY_ID: TEST_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_S3_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  // A user per round: each upload is a new photo, never a duplicate.
  const users = await Promise.all(
    Array.from({ length: ROUNDS + 1 }, () => registerUser(server.url)),
  );
  return {
    name,
    server,
    send: async (file, round) => {
      const result = await tusUpload(server.url, file.path, {
        token: (users[round + 1] as { token: string }).token,
        sha256: file.sha256,
        filename: 'noise.png',
        chunkSize: CHUNK_BYTES,
        uploadDataDuringCreation: true,
      });
      if (result.duplicate) throw new Error('the upload was taken for a duplicate');
    },
    clean: async () => {
      await emptyBucket(client, bucket);
      const uploads = join(server.dataDir, 'uploads');
      for (const name of await readdir(uploads).catch(() => []))
        await rm(join(uploads, name), { force: true });
    },
  };
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'bench-upload-s3-'));
  const s3 = await startS3Server();
  const client = s3.client();
  const contenders: Contender[] = [];
  try {
    const warmUp = await writeNoisePng(join(scratch, 'warm-up.png'), 1);
    const file = await writeNoisePng(join(scratch, 'large.png'), FILE_MIB);
    console.log(
      `uploads into S3: one ${(file.bytes / MiB).toFixed(0)} MiB file, median of ${ROUNDS} rounds after a 1 MiB warm-up, ` +
        'contenders alternating, over loopback to fauxqs (an S3 server in its own process, objects in memory). ' +
        `tus sends ${CHUNK_BYTES / MiB} MiB PATCHes (the SDK's chunking) to a serve process (no saga worker).`,
    );
    console.log(describeMachine());
    contenders.push(
      await directContender(s3, client),
      await tusContender(
        'tus, staged in the bucket (8 MiB segments)',
        s3,
        client,
        's3',
        file.bytes,
      ),
      await tusContender('tus, staged on local disk', s3, client, 'local', file.bytes),
    );
    for (const contender of contenders) {
      await contender.send(warmUp, -1);
      await contender.clean();
      await contender.server?.resetPeakRss();
    }
    const seconds = contenders.map((): number[] => []);
    const serverCpuMs = contenders.map((): number[] => []);
    for (let round = 0; round < ROUNDS; round++)
      for (let k = 0; k < contenders.length; k++) {
        const i = (round + k) % contenders.length;
        const contender = contenders[i] as Contender;
        const cpuBefore = await contender.server?.cpuMs();
        const started = performance.now();
        await contender.send(file, round);
        seconds[i]?.push((performance.now() - started) / 1000);
        if (contender.server && cpuBefore !== undefined)
          serverCpuMs[i]?.push((await contender.server.cpuMs()) - cpuBefore);
        await contender.clean();
      }
    const rate = (i: number) => file.bytes / MiB / percentile(seconds[i] as number[], 50);
    const rows = [];
    for (const [i, contender] of contenders.entries()) {
      const usage = await contender.server?.usage();
      rows.push({
        contender: contender.name,
        'MiB/s (median)': rate(i).toFixed(0),
        'median s': percentile(seconds[i] as number[], 50).toFixed(2),
        'vs baseline': `${(rate(i) / rate(0)).toFixed(2)}×`,
        'server CPU ms per MiB': contender.server
          ? (percentile(serverCpuMs[i] as number[], 50) / (file.bytes / MiB)).toFixed(1)
          : '—',
        'server peak RSS MiB': usage ? (usage.peakRssKiB / 1024).toFixed(0) : '—',
      });
    }
    console.table(rows);
  } finally {
    await Promise.all(contenders.map((contender) => contender.server?.stop()));
    await s3.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
