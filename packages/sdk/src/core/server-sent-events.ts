/** One Server-Sent Event, as the WHATWG parsing rules read it. */
export interface ServerSentEvent {
  /** The `id:` field; undefined when the event set none. */
  id: string | undefined;
  /** The `event:` field; `message` when the event set none. */
  event: string;
  data: string;
}

/**
 * Parses a `text/event-stream` body into events. Comments (heartbeats) and
 * `retry:` carry no event; `onBytes` hears of every chunk, so a caller can
 * tell an idle connection from a dead one.
 */
export async function* serverSentEvents(
  body: AsyncIterable<Uint8Array>,
  onBytes: () => void = () => {},
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: ServerSentEvent = { id: undefined, event: 'message', data: '' };
  let hasData = false;
  for await (const chunk of body) {
    onBytes();
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (hasData) yield { ...event, data: event.data.replace(/\n$/, '') };
        event = { id: undefined, event: 'message', data: '' };
        hasData = false;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') {
        event.data += `${value}\n`;
        hasData = true;
      } else if (field === 'event') event.event = value;
      else if (field === 'id' && !value.includes('\0')) event.id = value;
    }
  }
}
