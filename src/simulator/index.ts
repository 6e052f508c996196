import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { createServerIdentity } from './protocol/cert-chain.js';
import { createControlRouter } from './control/control-router.js';
import { DeviceConnection } from './protocol/device-connection.js';
import { GroupActions } from './groups/group-actions.js';
import { GroupControl } from './groups/group-control.js';
import { answerGroupIq } from './groups/group-iq.js';
import { GroupRelay } from './groups/group-relay.js';
import { groupRoutes } from './groups/group-routes.js';
import { MessageRelay } from './messaging/message-relay.js';
import { SimulatorMedia } from './media/index.js';
import { SimulatorControl } from './control/simulator-control.js';
import { ProfileActions } from './profiles/profile-actions.js';
import { ProfileControl } from './profiles/profile-control.js';
import { profileRoutes, servePicture } from './profiles/profile-routes.js';
import { SimulatorState, type MediaHooks, type SimulatorContext } from './state/simulator-state.js';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** Derives the Noise root key (and account keys) so a restart keeps them. Random without it. */
  seed?: string;
  /** Where the media server keeps its CA and certificate (created once). Default `.sandbox/certs`. */
  certDir?: string;
  logger?: Logger;
  /** The HTTPS media server (uploads, downloads, history blobs). Default on; `false` runs without media. */
  media?: boolean | MediaHooks;
  /** Members a group may hold (WhatsApp: 1024). Lower it to test "too many participants". */
  groupSizeLimit?: number;
}

export interface RunningSimulator {
  wsUrl: string;
  controlUrl: string;
  /** Hex of the 32-byte Curve25519 root public key; clients set WA_CERT_DETAILS.PUBLIC_KEY to it. */
  rootPublicKey: string;
  caFile?: string;
  state: SimulatorState;
  close(): Promise<void>;
}

/** Starts the WhatsApp protocol simulator: `ws://host:port/ws/chat` and `http://host:port/control`. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const host = options.host ?? '127.0.0.1';
  const state = new SimulatorState(options.seed);
  const media: MediaHooks | undefined =
    options.media === false
      ? undefined
      : typeof options.media === 'object'
        ? options.media
        : await SimulatorMedia.start({
            certDir: options.certDir,
            host: host === '0.0.0.0' || host === '::' ? undefined : host,
            logger: logger.child({ component: 'media' }),
          });
  const ctx: SimulatorContext = { seed: options.seed, identity: createServerIdentity(options.seed), logger, state, media };
  if (options.groupSizeLimit !== undefined) state.groups.sizeLimit = options.groupSizeLimit;
  const relay = new MessageRelay(ctx);
  const control = new SimulatorControl(ctx, relay);
  const groupActions = new GroupActions(ctx, relay);
  const groupRelay = new GroupRelay(ctx, relay);
  ctx.groups = {
    answerIq: (device, iq) => answerGroupIq(state, groupActions, device, iq),
    onDeviceMessage: (device, stanza) => groupRelay.onDeviceMessage(device, stanza),
  };
  const profileActions = new ProfileActions(ctx, relay);
  ctx.profiles = { answerIq: (device, iq) => profileActions.answerIq(device, iq) };
  const handle = createControlRouter(control, logger, [
    ...groupRoutes(new GroupControl(ctx, groupActions, groupRelay, profileActions)),
    ...profileRoutes(new ProfileControl(ctx, profileActions)),
  ]);
  const connections = new Set<DeviceConnection>();

  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/pictures/')) servePicture(state, req, res);
    else void handle(req, res);
  });
  // long keep-alive: clients (undici fetch) reuse idle sockets, and a 5 s server timeout races with them
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/ws/chat')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new DeviceConnection(ws, ctx, relay, (c) => connections.delete(c));
      connections.add(conn);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  state.pictureBaseUrl = `http://${base}/pictures`;
  logger.info({ port }, 'simulator listening');

  let closing: Promise<void> | undefined;
  return {
    wsUrl: `ws://${base}/ws/chat`,
    controlUrl: `http://${base}/control`,
    rootPublicKey: ctx.identity.root.public.toString('hex'),
    caFile: media?.caFile,
    state,
    close() {
      closing ??= (async () => {
        for (const conn of connections) {
          try {
            conn.close();
          } catch (err) {
            logger.debug({ err }, 'closing a connection failed');
          }
        }
        try {
          wss.close();
        } catch (err) {
          logger.debug({ err }, 'closing the ws server failed');
        }
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (media && options.media !== undefined && typeof options.media === 'object') return; // not ours to close
        try {
          await media?.close();
        } catch (err) {
          logger.debug({ err }, 'closing media failed');
        }
      })();
      return closing;
    },
  };
}
