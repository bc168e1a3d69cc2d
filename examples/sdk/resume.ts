// Uploads one large file resumably. Interrupt it (Ctrl-C, a crash, a
// restarted server) and run it again: it continues from the last byte the
// server holds, because the upload's URL was stored (in
// ~/.cache/flickr-kit/uploads) before its first byte was sent.
//   node --conditions=source examples/sdk/resume.ts big-panorama.jpg
import { AbortError } from '@flickr-kit/sdk';
import { connect } from './connect.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: resume.ts FILE');

const client = connect();
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
try {
  const result = await client.uploads.uploadFile(
    path,
    {},
    {
      signal: controller.signal,
      onProgress: (sent, total) => process.stderr.write(`\r${sent} / ${total} bytes`),
    },
  );
  console.log(`\n${result.status}: photo ${result.photo.id}`);
} catch (error) {
  if (!(error instanceof AbortError)) throw error;
  console.log('\ninterrupted: run the same command again to resume');
} finally {
  await client.close();
}
