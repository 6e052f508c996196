import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { httpLogger } from '../../../src/http/middleware/http-logger.js';
import { requestId } from '../../../src/http/middleware/request-id.js';

interface Line {
  level: number;
  msg: string;
  req: { id: string; method: string; url: string; remoteAddress?: string };
  res: { statusCode: number };
  responseTime: number;
}

function appWith(level: pino.Level) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const app = express();
  app.use(requestId());
  app.use(httpLogger(pino({ level }, sink)));
  app.get('/ok', (_req, res) => void res.json({ ok: true }));
  app.get('/missing', (_req, res) => void res.status(404).json({ ok: false }));
  app.get('/broken', (_req, res) => void res.status(500).json({ ok: false }));
  app.get('/slow', () => undefined); // never answers: the client gives up
  return { app, lines };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('httpLogger', () => {
  it('writes one line per request: info for 2xx, warn for 4xx, error for 5xx, with id, method, URL, status and time', async () => {
    const { app, lines } = appWith('info');
    const ok = await request(app).get('/ok?page=2').set('Cookie', 'zap_session=secret-cookie').set('Authorization', 'Bearer secret-key');
    await request(app).get('/missing');
    await request(app).get('/broken');
    await settle();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: ok.headers['x-request-id'], method: 'GET', url: '/ok?page=2' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(lines[0]!.req.remoteAddress).toEqual(expect.any(String));
    expect(lines.map((l) => [l.level, l.res.statusCode])).toEqual([
      [30, 200],
      [40, 404],
      [50, 500],
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/secret-cookie|secret-key/);
  });

  it('at warn, a 2xx writes nothing and a 4xx still does', async () => {
    const { app, lines } = appWith('warn');
    await request(app).get('/ok');
    await request(app).get('/missing');
    await settle();
    expect(lines.map((l) => l.res.statusCode)).toEqual([404]);
  });

  it('a request the client abandons is logged as aborted, at warn', async () => {
    const { app, lines } = appWith('info');
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const req = http.get({ host: '127.0.0.1', port, path: '/slow' });
      req.on('error', () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      req.destroy();
      for (let i = 0; i < 50 && lines.length === 0; i++) await settle();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 40, msg: 'request aborted', req: { method: 'GET', url: '/slow' } });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
