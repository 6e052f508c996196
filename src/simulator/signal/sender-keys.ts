import {
  GroupCipher,
  GroupSessionBuilder,
  SenderKeyDistributionMessage,
  SenderKeyName,
  SenderKeyRecord,
} from '@whiskeysockets/baileys/lib/Signal/Group/index.js';

/** Who sends with a sender key: a Signal user and device (`5511…`, 0 for a contact, N for a companion). */
export interface SenderId {
  user: string;
  device: number;
}

const nameOf = (group: string, sender: SenderId): SenderKeyName =>
  new SenderKeyName(group, { id: sender.user, deviceId: sender.device, toString: () => `${sender.user}.${sender.device}` });

/**
 * One party's group sender keys (WhatsApp's Signal "sender key" scheme, with Baileys' own implementation):
 * its own chain per group, used to encrypt `skmsg`, and the chains other members distributed to it.
 */
export class SenderKeys {
  private readonly records = new Map<string, SenderKeyRecord>();
  private readonly store = {
    loadSenderKey: async (name: SenderKeyName): Promise<SenderKeyRecord> => this.records.get(name.toString()) ?? new SenderKeyRecord(),
    storeSenderKey: async (name: SenderKeyName, record: SenderKeyRecord): Promise<void> => {
      this.records.set(name.toString(), record);
    },
  };

  /**
   * Encrypts `paddedPlaintext` with this party's chain for `group` (created on first use) and returns the
   * distribution message taken just before, so a member that gets it can decrypt this message and the next.
   */
  async encrypt(group: string, self: SenderId, paddedPlaintext: Uint8Array): Promise<{ ciphertext: Buffer; distribution: Buffer }> {
    const name = nameOf(group, self);
    const skdm = await new GroupSessionBuilder(this.store).create(name);
    const ciphertext = await new GroupCipher(this.store, name).encrypt(paddedPlaintext);
    return { ciphertext: Buffer.from(ciphertext), distribution: Buffer.from(skdm.serialize()) };
  }

  /** Stores the chain `sender` distributed for `group` (axolotlSenderKeyDistributionMessage bytes). */
  async process(group: string, sender: SenderId, distribution: Uint8Array): Promise<void> {
    const message = new SenderKeyDistributionMessage(null, null, null, null, distribution);
    await new GroupSessionBuilder(this.store).process(nameOf(group, sender), message);
  }

  /** Decrypts an `skmsg` from `sender`; throws when no chain of theirs was distributed to this party. */
  async decrypt(group: string, sender: SenderId, ciphertext: Uint8Array): Promise<Buffer> {
    return Buffer.from(await new GroupCipher(this.store, nameOf(group, sender)).decrypt(ciphertext));
  }

  /** Drops this party's own chain for `group` (a member left: the next message starts a new chain and distributes it). */
  rotate(group: string, self: SenderId): void {
    this.records.delete(nameOf(group, self).toString());
  }
}
