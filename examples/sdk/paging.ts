// Pages through a user's photos forward (newest first), then back again from
// the last page's cursor. Cursors stay exact while photos are added or
// deleted between pages.
//   node --conditions=source examples/sdk/paging.ts alice [PAGE_SIZE]
import { connect } from './connect.ts';

const [username, pageSize = '10'] = process.argv.slice(2);
if (!username) throw new Error('usage: paging.ts USERNAME [PAGE_SIZE]');
const limit = Number(pageSize);

const client = connect();
let lastPageStart: string | null = null;
for await (const page of client.photos.list(username, { limit }).pages()) {
  console.log(
    `page of ${page.items.length}:`,
    page.items.map((photo) => photo.originalName).join(', '),
  );
  lastPageStart = page.prevCursor;
}
if (lastPageStart) {
  console.log('and backward:');
  for await (const page of client.photos
    .list(username, { limit, before: lastPageStart })
    .pages('backward'))
    console.log(
      `page of ${page.items.length}:`,
      page.items.map((photo) => photo.originalName).join(', '),
    );
}
await client.close();
