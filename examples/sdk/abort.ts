// Every method takes an AbortSignal: here, a batch upload given a time
// budget. What finished is kept (and skipped next time), what was cut off
// resumes next time, and the report says which is which.
//   node --conditions=source examples/sdk/abort.ts 5000 a.jpg b.jpg …
import { AbortError } from '@flickr-kit/sdk';
import { connect } from './connect.ts';

const [budget = '5000', ...files] = process.argv.slice(2);
const client = connect();
const signal = AbortSignal.timeout(Number(budget));

const report = await client.uploads.uploadMany(files, { signal });
for (const entry of report) {
  const cut = entry.error instanceof AbortError;
  console.log(cut ? 'cut off ' : entry.status.padEnd(8), entry.path);
}
try {
  await client.photos.waitUntilReadyMany(
    report.flatMap((entry) => (entry.photoId ? [entry.photoId] : [])),
    { signal },
  );
} catch (error) {
  if (!(error instanceof AbortError)) throw error;
  console.log('stopped waiting: out of time');
}
await client.close();
