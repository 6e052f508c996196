import type { DataSource } from 'typeorm';
import { ContactEntity } from '../entities/contact.entity.js';
import { paginate, type Page, type PageRequest } from '../pagination.js';
import { withoutNul } from '../sql.js';
import { inTransaction, type Tx } from '../transaction-runner.js';
import { batchUpsert, type BatchColumn, type BatchUpsertResult } from './batch-upsert.js';

/** What WhatsApp told us about a contact. Undefined fields keep the stored value; null clears it. */
export type ContactInput = { jid: string } & Partial<
  Pick<ContactEntity, 'lid' | 'phone' | 'name' | 'notify' | 'verifiedName' | 'imgUrl'>
>;

const COLUMNS: readonly (BatchColumn & { prop: keyof ContactInput })[] = [
  { name: 'lid', prop: 'lid', type: 'text' },
  { name: 'phone', prop: 'phone', type: 'text' },
  { name: 'name', prop: 'name', type: 'text' },
  { name: 'notify', prop: 'notify', type: 'text' },
  { name: 'verified_name', prop: 'verifiedName', type: 'text' },
  { name: 'img_url', prop: 'imgUrl', type: 'text' },
];

export interface ContactListFilter {
  /** Case-insensitive substring of the name, push name, verified name, phone or JID. */
  search?: string;
}

export class ContactRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Inserts new contacts and merges the given fields into existing ones, for thousands at a time (history sync).
   * Runs in `tx` when given, else in its own transaction.
   */
  upsertMany(instanceId: string, contacts: readonly ContactInput[], tx?: Tx): Promise<BatchUpsertResult> {
    if (contacts.length === 0) return Promise.resolve({ inserted: 0, updated: 0 });
    const rows = contacts.map((c) => ({
      key: c.jid,
      values: Object.fromEntries(
        COLUMNS.map((col) => {
          const value = c[col.prop];
          return [col.name, typeof value === 'string' ? withoutNul(value) : value];
        }),
      ),
    }));
    return inTransaction(this.ds, tx, (em) => batchUpsert(em, { table: 'contacts', key: 'jid', instanceId, columns: COLUMNS }, rows));
  }

  find(instanceId: string, jid: string): Promise<ContactEntity | null> {
    return this.ds.getRepository(ContactEntity).findOneBy({ instanceId, jid });
  }

  findByLid(instanceId: string, lid: string): Promise<ContactEntity | null> {
    return this.ds.getRepository(ContactEntity).findOneBy({ instanceId, lid });
  }

  /** Ordered by display name (saved name, push name, verified name, phone, JID), then JID. */
  list(instanceId: string, filter: ContactListFilter = {}, page: PageRequest = {}): Promise<Page<ContactEntity>> {
    const query = this.ds
      .getRepository(ContactEntity)
      .createQueryBuilder('c')
      .where('c.instanceId = :instanceId', { instanceId });
    if (filter.search) {
      const pattern = `%${filter.search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      query.andWhere(
        `(c.name ILIKE :pattern OR c.notify ILIKE :pattern OR c.verifiedName ILIKE :pattern OR c.phone ILIKE :pattern OR c.jid ILIKE :pattern)`,
        { pattern },
      );
    }
    query
      .orderBy('lower(COALESCE(c.name, c.notify, c.verifiedName, c.phone, c.jid))', 'ASC')
      .addOrderBy('c.jid', 'ASC');
    return paginate(query, page);
  }

  async count(instanceId: string): Promise<number> {
    return this.ds.getRepository(ContactEntity).countBy({ instanceId });
  }
}
