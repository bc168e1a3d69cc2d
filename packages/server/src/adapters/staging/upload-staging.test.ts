import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { describeUploadStagingContract } from '../../../test/contracts/upload-staging.contract.ts';
import { startS3Server, type TestS3Server } from '../../../test/s3-server.ts';
import { LocalUploadStaging } from './local-upload-staging.ts';
import { S3UploadStaging } from './s3-upload-staging.ts';

/** Small segments, so that bodies of a few hundred KiB cross several of them. */
const SEGMENT_BYTES = 64 * 1024;

let folder: string;
let s3: TestS3Server;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'staging-'));
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
  await rm(folder, { recursive: true, force: true });
});

// A local file grows as it is written: any size is one piece.
describeUploadStagingContract(
  'local files',
  async () => new LocalUploadStaging(join(folder, 'uploads')),
  SEGMENT_BYTES,
);

describeUploadStagingContract(
  'S3',
  async () =>
    new S3UploadStaging({
      client: s3.client(),
      bucket: await s3.createBucket(),
      prefix: 'staging/',
      scratchDir: join(folder, 'scratch'),
      segmentBytes: SEGMENT_BYTES,
    }),
  SEGMENT_BYTES,
);
