import { useEffect, useRef } from 'preact/hooks';
import type { LiveEvent } from './api';

const EVENT_NAMES = ['connection.update', 'messages.upsert', 'messages.update', 'messages.delete', 'contacts.update', 'groups.update', 'groups.upsert', 'group-participants.update', 'presence.update'];

/**
 * The instance's live stream (`GET /whatsapp/instances/{id}/events`); the browser resumes with Last-Event-ID itself.
 * A new stream starts with new events only, so `onOpen` is the moment to read the current state once (nothing that
 * happens after it is missed).
 */
export function useInstanceEvents(instanceId: string | null, onEvent: (e: LiveEvent) => void, onOpen?: () => void): void {
  useEventStream(instanceId ? `/whatsapp/instances/${encodeURIComponent(instanceId)}/events` : null, onEvent, onOpen);
}

/**
 * Every instance of the account in one stream (`GET /whatsapp/events`): one connection whatever the number of rows
 * (browsers keep at most 6 per host). It starts at the present: `onOpen` re-reads the list. `key` reopens it (new
 * instances are followed once the list that names them is loaded).
 */
export function useAccountEvents(key: string | null, onEvent: (e: LiveEvent) => void, onOpen?: () => void): void {
  useEventStream(key === null ? null : '/whatsapp/events', onEvent, onOpen, key);
}

function useEventStream(url: string | null, onEvent: (e: LiveEvent) => void, onOpen?: () => void, key?: string | null): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const opened = useRef(onOpen);
  opened.current = onOpen;
  useEffect(() => {
    if (!url) return;
    const source = new EventSource(url);
    const listener = (ev: MessageEvent<string>) => {
      try {
        handler.current(JSON.parse(ev.data) as LiveEvent);
      } catch {
        // not an event body: ignore
      }
    };
    source.addEventListener('open', () => opened.current?.());
    for (const name of EVENT_NAMES) source.addEventListener(name, listener as EventListener);
    return () => source.close();
  }, [url, key]);
}
