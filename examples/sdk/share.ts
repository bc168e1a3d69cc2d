// Shares all of your photos with another user, lists who can see them,
// and takes the grant back with --revoke.
//   node --conditions=source examples/sdk/share.ts bob [--revoke]
import { connect } from './connect.ts';

const viewer = process.argv[2];
if (!viewer) throw new Error('usage: share.ts USERNAME [--revoke]');

const client = connect();
if (process.argv.includes('--revoke')) await client.shares.revoke(viewer);
else await client.shares.grant(viewer);
for (const grant of await client.shares.list())
  console.log(`${grant.viewer.username} sees your photos since ${grant.createdAt}`);
for (const grant of await client.shares.listToMe())
  console.log(`you see ${grant.sharer.username}'s photos`);
await client.close();
