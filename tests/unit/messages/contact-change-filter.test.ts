import { ContactChangeFilter } from '../../../src/services/messages/contact-change-filter.js';

const item = (jid: string, notify: string) => ({ input: { jid, notify }, data: { id: jid, notify } });

describe('ContactChangeFilter', () => {
  it('lets a contact through once per set of facts, per instance, after the write committed', () => {
    const filter = new ContactChangeFilter();
    const first = filter.changed('inst_a', [item('1@s.whatsapp.net', 'Ana')]);
    expect(first.items).toHaveLength(1);
    // Not committed (the write failed): the same facts come through again.
    expect(filter.changed('inst_a', [item('1@s.whatsapp.net', 'Ana')]).items).toHaveLength(1);
    filter.changed('inst_a', [item('1@s.whatsapp.net', 'Ana')]).commit();
    expect(filter.changed('inst_a', [item('1@s.whatsapp.net', 'Ana')]).items).toHaveLength(0);
    // Key order does not matter; a new name, another contact or another instance does.
    expect(filter.changed('inst_a', [{ input: { notify: 'Ana', jid: '1@s.whatsapp.net' } }]).items).toHaveLength(0);
    expect(filter.changed('inst_a', [item('1@s.whatsapp.net', 'Ana Maria')]).items).toHaveLength(1);
    expect(filter.changed('inst_a', [item('2@s.whatsapp.net', 'Ana')]).items).toHaveLength(1);
    expect(filter.changed('inst_b', [item('1@s.whatsapp.net', 'Ana')]).items).toHaveLength(1);
  });

  it('forgets the least recently seen contacts beyond its capacity', () => {
    const filter = new ContactChangeFilter(2);
    for (const jid of ['1', '2', '3']) filter.changed('i', [item(jid, 'x')]).commit();
    expect(filter.changed('i', [item('1', 'x')]).items).toHaveLength(1);
    expect(filter.changed('i', [item('3', 'x')]).items).toHaveLength(0);
  });
});
