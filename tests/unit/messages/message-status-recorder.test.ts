import pino from 'pino';
import type { MessageEntity, MessageStatus } from '../../../src/persistence/entities/message.entity.js';
import type { StatusMove, StatusMoved } from '../../../src/persistence/repositories/status-move-repository.js';
import { MessageStatusRecorder } from '../../../src/services/messages/message-status-recorder.js';

/** A message row in memory that only moves forward, as the real statement does. */
function fakeMessages() {
  const order: MessageStatus[] = ['queued', 'sending', 'failed', 'sent', 'delivered', 'read', 'played'];
  const row = { id: 'msg_1', waMessageId: '3EB0AA', instanceId: 'inst_a', status: 'queued' as MessageStatus };
  const statements: MessageStatus[] = [];
  const repo = {
    async move({ status }: StatusMove): Promise<StatusMoved | null> {
      statements.push(status);
      if (order.indexOf(row.status) >= order.indexOf(status)) return null;
      row.status = status;
      return { message: { ...row } as MessageEntity, event: { event: { sequence: statements.length }, deliveries: [] } } as unknown as StatusMoved;
    },
  };
  return { repo, statements, row };
}

describe('MessageStatusRecorder', () => {
  it('skips the statement for a report that is not beyond what this process saw the message reach', async () => {
    const { repo, statements, row } = fakeMessages();
    const notified: number[] = [];
    const recorder = new MessageStatusRecorder({ moves: repo, notifier: { notifyAppended: (_i, seq) => notified.push(seq) }, logger: pino({ level: 'silent' }) });
    await recorder.onSent({ instanceId: 'inst_a', messageId: 'msg_1', waMessageId: '3EB0AA', to: 'x@s.whatsapp.net', content: { type: 'text', text: 'hi' } });
    // WhatsApp's server ack (sent) after the worker recorded sent: nothing to do, no statement.
    await expect(recorder.move('inst_a', { waMessageId: '3EB0AA' }, 'sent')).resolves.toBeNull();
    await expect(recorder.move('inst_a', { waMessageId: '3EB0AA' }, 'delivered')).resolves.toMatchObject({ status: 'delivered' });
    await expect(recorder.move('inst_a', { waMessageId: '3EB0AA' }, 'delivered')).resolves.toBeNull();
    await expect(recorder.move('inst_a', { waMessageId: '3EB0AA' }, 'read')).resolves.toMatchObject({ status: 'read' });
    expect(statements).toEqual(['sent', 'delivered', 'read']);
    expect(notified).toHaveLength(3);
    expect(row.status).toBe('read');
    // Another process (nothing remembered) still asks the database, which decides.
    const other = new MessageStatusRecorder({ moves: repo, notifier: { notifyAppended: () => undefined }, logger: pino({ level: 'silent' }) });
    await expect(other.move('inst_a', { waMessageId: '3EB0AA' }, 'delivered')).resolves.toBeNull();
    expect(statements).toEqual(['sent', 'delivered', 'read', 'delivered']);
  });
});
