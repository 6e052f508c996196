/**
 * The bare-Baileys side of bench:recovery, run as its own process (what a minimal program would do after a restart):
 * opens one socket per auth folder under <dir> (useMultiFileAuthState, saved creds) all at once, against the
 * simulator, and keeps them open until killed. Prints one line when every socket is open.
 *
 *   tsx bench/support/bare-restore.ts <dir> <wsUrl> <rootPublicKeyHex>
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import makeWASocket, { Browsers, useMultiFileAuthState, WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import pino from 'pino';

const [dir, wsUrl, rootKey] = process.argv.slice(2);
if (!dir || !wsUrl || !rootKey) throw new Error('usage: bare-restore.ts <dir> <wsUrl> <rootPublicKeyHex>');
for (const m of ['log', 'info', 'warn'] as const) console[m] = () => undefined; // libsignal chatter
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootKey, 'hex');
const logger = pino({ level: 'silent' });
const folders = readdirSync(dir).map((name) => join(dir, name));
let open = 0;
await Promise.all(
  folders.map(async (folder) => {
    const { state, saveCreds } = await useMultiFileAuthState(folder);
    const sock = makeWASocket({ waWebSocketUrl: wsUrl, auth: state, logger, browser: Browsers.ubuntu('Chrome'), markOnlineOnConnect: false, syncFullHistory: false });
    sock.ev.on('creds.update', () => void saveCreds());
    await new Promise<void>((resolve, reject) => {
      sock.ev.on('connection.update', (u) => {
        if (u.connection === 'open') resolve();
        if (u.connection === 'close') reject(new Error(`bare socket closed: ${String(u.lastDisconnect?.error)}`));
      });
    });
    open += 1;
  }),
);
process.stdout.write(`${JSON.stringify({ open })}\n`);
setInterval(() => undefined, 60_000); // keep the sockets until killed
