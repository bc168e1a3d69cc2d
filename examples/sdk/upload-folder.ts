// Uploads every JPEG of a folder: hashes them, skips what the server already
// has, sends the rest, and prints one line per file. Run it twice: the
// second run sends no image bytes.
//   node --conditions=source examples/sdk/upload-folder.ts ./photos
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from './connect.ts';

const folder = process.argv[2] ?? '.';
const files = (await readdir(folder))
  .filter((name) => /\.jpe?g$/i.test(name))
  .map((name) => join(folder, name));

const client = connect();
const report = await client.uploads.uploadMany(files, {
  onProgress: (event) => {
    if (event.type === 'progress')
      process.stderr.write(`\r${event.totalSent} of ${event.totalBytes} bytes sent`);
  },
});
process.stderr.write('\n');
for (const entry of report)
  console.log(entry.status.padEnd(8), entry.path, entry.reason ?? entry.error?.message ?? '');
await client.close();
process.exitCode = report.some((entry) => entry.status === 'failed') ? 1 : 0;
