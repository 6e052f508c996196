import { useEffect, useRef } from 'preact/hooks';
import type { LiveEvent } from './api';

const EVENT_NAMES = ['connection.update', 'messages.upsert', 'messages.update', 'messages.delete', 'contacts.update', 'groups.update', 'groups.upsert', 'group-participants.update', 'presence.update'];

/**
 * The instance's live stream (`GET /whatsapp/instances/{id}/events`); the browser resumes with Last-Event-ID itself.
 * A new stream starts with new events only, so `onOpen` is the moment to read the current state once (nothing that
 * happens after it is missed).
 */
export function useInstanceEvents(instanceId: string | null, onEvent: (e: LiveEvent) => void, onOpen?: () => void): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const opened = useRef(onOpen);
  opened.current = onOpen;
  useEffect(() => {
    if (!instanceId) return;
    const source = new EventSource(`/whatsapp/instances/${encodeURIComponent(instanceId)}/events`);
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
  }, [instanceId]);
}
