// A real S3-compatible server for the tests that need one, started and
// stopped by the test itself (test/s3-server-process.ts), on 127.0.0.1 and a
// free port, in a process of its own: the blob store contract measures the
// memory of the test process, which must not also hold the server's objects.
//
// Why fauxqs and not s3rver: s3rver (3.7.1, its last release, and the
// @20minutes fork) writes an object in place while it receives it. Six
// writers racing on one 4 MiB key left it a mix of their bytes, and readers
// during the race got truncated bodies; it also lacks AbortMultipartUpload
// and ListMultipartUploads. S3 promises atomic writes, and the BlobStore
// contract tests them. fauxqs (maintained, engines node >=22.5) swaps whole
// objects, aborts and lists parts, enforces S3's 5 MiB minimum part; the one
// call it lacks, ListMultipartUploads, the server process adds.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const PROCESS = fileURLToPath(new URL('./s3-server-process.ts', import.meta.url));

/** Any keys do: the server checks no signature. */
export const TEST_S3_CREDENTIALS = { accessKeyId: 'flickr-test', secretAccessKey: 'flickr-test' };
export const TEST_S3_REGION = 'us-east-1';

export interface TestS3Server {
  endpoint: string;
  /** A client of this server (path-style addressing: the endpoint is an address, not a name). */
  client(): S3Client;
  /** A new, empty bucket, with a name no other test uses. */
  createBucket(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts the S3 server in a child process and waits until it listens. */
export async function startS3Server(): Promise<TestS3Server> {
  const child: ChildProcess = spawn(process.execPath, [PROCESS], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    exited.then(([code]) => {
      throw new Error(`the S3 server process exited at start with code ${code}`);
    }),
  ]);
  lines.close();
  const { endpoint } = JSON.parse(first) as { endpoint: string };
  const clients: S3Client[] = [];
  const client = () => {
    const made = new S3Client({
      endpoint,
      region: TEST_S3_REGION,
      forcePathStyle: true,
      credentials: TEST_S3_CREDENTIALS,
    });
    clients.push(made);
    return made;
  };
  const admin = client();
  return {
    endpoint,
    client,
    createBucket: async () => {
      const bucket = `flickr-${randomUUID()}`;
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      return bucket;
    },
    stop: async () => {
      for (const made of clients) made.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end();
        await exited;
      }
    },
  };
}
