import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, normalizePage } from '../../../src/persistence/pagination.js';
import { ChatRepository } from '../../../src/persistence/repositories/chat-repository.js';
import { ContactRepository } from '../../../src/persistence/repositories/contact-repository.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { makeInstance } from './persistence-fixtures.js';

let db: TestDatabase;
let contacts: ContactRepository;
let instanceId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  contacts = new ContactRepository(db.dataSource);
  instanceId = (await makeInstance(db.dataSource)).id;
  await contacts.upsertMany(
    instanceId,
    Array.from({ length: 205 }, (_v, i) => ({ jid: `5511${String(i).padStart(9, '0')}@s.whatsapp.net`, name: `C${String(i).padStart(3, '0')}` })),
  );
});
afterAll(async () => {
  await db.close();
});

describe('normalizePage', () => {
  it.each([
    [{}, { page: 1, pageSize: DEFAULT_PAGE_SIZE }],
    [{ page: 0, pageSize: 0 }, { page: 1, pageSize: 1 }],
    [{ page: -3, pageSize: -1 }, { page: 1, pageSize: 1 }],
    [{ page: 2.7, pageSize: 10.9 }, { page: 2, pageSize: 10 }],
    [{ page: Number.NaN, pageSize: Number.POSITIVE_INFINITY }, { page: 1, pageSize: DEFAULT_PAGE_SIZE }],
    [{ page: 3, pageSize: 1000 }, { page: 3, pageSize: MAX_PAGE_SIZE }],
  ])('%j → %j', (input, expected) => {
    expect(normalizePage(input)).toEqual(expected);
  });
});

describe('paginated lists', () => {
  it('an instance without rows: no items, total 0', async () => {
    const empty = await makeInstance(db.dataSource);
    expect(await contacts.list(empty.id)).toEqual({ items: [], total: 0, page: 1, pageSize: DEFAULT_PAGE_SIZE });
    expect(await new ChatRepository(db.dataSource).list(empty.id, {}, { page: 5 })).toMatchObject({ items: [], total: 0, page: 5 });
  });

  it('the first page holds pageSize items and the total of all pages', async () => {
    const page = await contacts.list(instanceId, {}, { page: 1, pageSize: 50 });
    expect(page.total).toBe(205);
    expect(page.items).toHaveLength(50);
    expect(page.items[0]?.name).toBe('C000');
  });

  it('the last page holds the remainder; past the last page is empty with the same total', async () => {
    const last = await contacts.list(instanceId, {}, { page: 5, pageSize: 50 });
    expect(last.items.map((c) => c.name)).toEqual(['C200', 'C201', 'C202', 'C203', 'C204']);
    expect(await contacts.list(instanceId, {}, { page: 6, pageSize: 50 })).toMatchObject({ items: [], total: 205, page: 6 });
  });

  it('walking every page sees each row exactly once', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 11; page++) seen.push(...(await contacts.list(instanceId, {}, { page, pageSize: 20 })).items.map((c) => c.jid));
    expect(seen).toHaveLength(205);
    expect(new Set(seen).size).toBe(205);
  });

  it('pageSize is capped at the maximum and raised to 1', async () => {
    const big = await contacts.list(instanceId, {}, { page: 1, pageSize: 10_000 });
    expect(big).toMatchObject({ pageSize: MAX_PAGE_SIZE, total: 205 });
    expect(big.items).toHaveLength(MAX_PAGE_SIZE);
    const tiny = await contacts.list(instanceId, {}, { page: 1, pageSize: 0 });
    expect(tiny).toMatchObject({ pageSize: 1 });
    expect(tiny.items).toHaveLength(1);
  });
});
