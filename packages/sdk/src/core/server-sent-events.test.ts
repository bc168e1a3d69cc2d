import { describe, expect, it } from 'vitest';
import { type ServerSentEvent, serverSentEvents } from './server-sent-events.ts';

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

const all = async (body: AsyncIterable<Uint8Array>) => {
  const events: ServerSentEvent[] = [];
  for await (const event of serverSentEvents(body)) events.push(event);
  return events;
};

describe('serverSentEvents', () => {
  it('reads events split anywhere across chunks, skipping comments and retry fields', async () => {
    const events = await all(
      chunks('retry: 1000\n\n: heart', 'beat\n\nevent: notification\nid: 1\nda', 'ta: {"a":1}\n\n'),
    );
    expect(events).toEqual([{ id: '1', event: 'notification', data: '{"a":1}' }]);
  });

  it('joins data lines, accepts CRLF and lines without a space after the colon', async () => {
    const events = await all(chunks('data:one\r\ndata: two\r\n\r\nid:7\ndata\n\n'));
    expect(events).toEqual([
      { id: undefined, event: 'message', data: 'one\ntwo' },
      { id: '7', event: 'message', data: '' },
    ]);
  });

  it('drops an event the stream ended in the middle of', async () => {
    expect(await all(chunks('id: 1\ndata: {"a":'))).toEqual([]);
  });
});
