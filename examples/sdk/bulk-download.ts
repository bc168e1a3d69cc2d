// Downloads all of a user's photos into a folder, with a JSON sidecar each.
// Run it again: files already there with the right content are skipped.
//   node --conditions=source examples/sdk/bulk-download.ts alice ./archive [thumbnail]
import { connect } from './connect.ts';

const [username, dir = 'archive', resolution = 'original'] = process.argv.slice(2);
if (!username) throw new Error('usage: bulk-download.ts USERNAME [DIR] [RESOLUTION]');

const client = connect();
const report = await client.photos.downloadMany(username, { dir, resolution });
const count = (status: string) => report.filter((entry) => entry.status === status).length;
console.log(
  `${count('downloaded')} downloaded, ${count('skipped')} already there, ${count('failed')} failed`,
);
for (const entry of report) if (entry.error) console.log(entry.photoId, entry.error.message);
await client.close();
