import { GroupCipher, GroupSessionBuilder, SenderKeyName, SenderKeyRecord } from '@whiskeysockets/baileys/lib/Signal/Group/index.js';
import { PartySignalStore } from '../../../src/simulator/signal/contact-signal-store.js';
import { deriveKeyPair, sign, signalPub } from '../../../src/simulator/signal/keys.js';
import { libsignal } from '../../../src/simulator/signal/libsignal.js';

/** One side of a libsignal conversation, with its store (what Baileys' signal repository keeps per device). */
function party(registrationId: number) {
  const identity = deriveKeyPair(undefined, 'identity');
  const skey = deriveKeyPair(undefined, 'skey');
  const preKeys = new Map([[1, deriveKeyPair(undefined, 'prekey')]]);
  const signedPreKey = { keyId: 1, keyPair: skey, signature: sign(identity.private, signalPub(skey.public)) };
  const store = new PartySignalStore(identity, registrationId, signedPreKey, preKeys);
  const bundle = {
    registrationId,
    identityKey: signalPub(identity.public),
    signedPreKey: { keyId: 1, publicKey: signalPub(skey.public), signature: signedPreKey.signature },
    preKey: { keyId: 1, publicKey: signalPub(preKeys.get(1)!.public) },
  };
  return { store, bundle };
}

/** Real sessions as Baileys stores them (`record.serialize()`), at several points of a conversation. */
export async function realSessions(): Promise<unknown[]> {
  const alice = party(1111);
  const bob = party(2222);
  const toBob = new libsignal.ProtocolAddress('5511999990002', 0);
  const toAlice = new libsignal.ProtocolAddress('5511999990001', 0);
  const snapshots: unknown[] = [];
  const snap = async () => {
    for (const [store, id] of [
      [alice.store, '5511999990002.0'],
      [bob.store, '5511999990001.0'],
    ] as const) {
      const record = await store.loadSession(id);
      if (record) snapshots.push(record.serialize());
    }
  };
  await new libsignal.SessionBuilder(alice.store, toBob).initOutgoing(bob.bundle);
  await snap(); // pending pre-key, nothing sent
  const aliceToBob = new libsignal.SessionCipher(alice.store, toBob);
  const bobToAlice = new libsignal.SessionCipher(bob.store, toAlice);
  const first = await aliceToBob.encrypt(Buffer.from('hello'));
  await bobToAlice.decryptPreKeyWhisperMessage(Buffer.from(first.body!, 'binary'));
  await snap();
  const reply = await bobToAlice.encrypt(Buffer.from('hi'));
  await aliceToBob.decryptWhisperMessage(Buffer.from(reply.body!, 'binary'));
  await snap();
  // Three messages, the last read first: the receiving chain keeps the skipped message keys (keyed by counter).
  const sent = [];
  for (let i = 0; i < 3; i++) sent.push(await aliceToBob.encrypt(Buffer.from(`m${i}`)));
  await bobToAlice.decryptWhisperMessage(Buffer.from(sent[2]!.body!, 'binary'));
  await snap();
  await bobToAlice.decryptWhisperMessage(Buffer.from(sent[0]!.body!, 'binary'));
  await snap();
  return snapshots;
}

/** A group sender key the way Baileys stores it (a Buffer of the record's JSON), and that JSON itself. */
export async function realSenderKey(): Promise<{ stored: Buffer; inner: string }> {
  let record = new SenderKeyRecord();
  const keys = {
    loadSenderKey: async () => record,
    storeSenderKey: async (_name: SenderKeyName, next: SenderKeyRecord) => {
      record = next;
    },
  };
  const name = new SenderKeyName('120363000000000000@g.us', { id: '5511999990001', deviceId: 0, toString: () => '5511999990001.0' });
  await new GroupSessionBuilder(keys).create(name);
  await new GroupCipher(keys, name).encrypt(Buffer.from('to the group'));
  const inner = JSON.stringify(record.serialize());
  return { stored: Buffer.from(inner, 'utf-8'), inner };
}
