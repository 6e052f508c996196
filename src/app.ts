import cookieParser from 'cookie-parser';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { authenticate } from './http/middleware/authenticate.js';
import { errorHandler } from './http/middleware/error-handler.js';
import { httpLogger } from './http/middleware/http-logger.js';
import { scopedRouter } from './http/scoped-router.js';
import { notFound } from './http/middleware/not-found.js';
import { requestId } from './http/middleware/request-id.js';
import { securityHeaders } from './http/middleware/security-headers.js';
import { serverTiming } from './http/middleware/server-timing.js';
import { requireJson } from './http/middleware/require-json.js';
import { webAppRouter } from './http/web-app.js';
import { UploadGate } from './http/uploads/upload-gate.js';
import { buildOpenApiDocument, type OpenApiContributor } from './http/openapi/openapi-document.js';
import { adminRouter } from './http/routes/admin-router.js';
import { authRouter } from './http/routes/auth-router.js';
import { zapiOpenApi } from './http/routes/zapi/zapi-openapi.js';
import { zapiRouter } from './http/routes/zapi/zapi-router.js';
import { docsRouter } from './http/routes/docs-router.js';
import { healthRouter } from './http/routes/health-router.js';
import { instancesRouter } from './http/routes/instances-router.js';
import type { Services } from './wiring/create-services.js';

export interface AppDeps {
  config: Pick<Config, 'bodyLimit' | 'isProduction' | 'trustProxy' | 'mediaDir' | 'uploadLimits'>;
  logger: Logger;
  services: Pick<Services, 'auth' | 'apiKeys' | 'instances' | 'admin' | 'readiness' | 'zapi' | 'zapiAuth'>;
  /** The node's one authenticate middleware (built from services.auth when absent). */
  authenticate?: RequestHandler;
  /** Feature routers (messages, webhooks), mounted after the base ones, behind the same authenticate. */
  extraRouters?: Router[];
  openApi?: OpenApiContributor[];
  /** Upload slots and staging shared by the send-media routes (built from config when absent). */
  uploads?: UploadGate;
}

/** The Express app, without listen(), so tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const { config, logger, services } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  app.use(serverTiming());
  app.use(requestId());
  app.use(securityHeaders({ isProduction: config.isProduction }));
  app.use(httpLogger(logger));
  app.use(requireJson());
  app.use(express.json({ limit: config.bodyLimit, strict: true }));
  app.use(cookieParser());

  const auth = deps.authenticate ?? authenticate(services.auth);
  app.use(scopedRouter(healthRouter(services.readiness)));
  app.use(scopedRouter(docsRouter(() => buildOpenApiDocument([zapiOpenApi(services.zapi.capabilities()), ...(deps.openApi ?? [])]))));
  app.use(scopedRouter(authRouter({ auth: services.auth, apiKeys: services.apiKeys, authenticate: auth, secureCookies: config.isProduction })));
  app.use(instancesRouter({ instances: services.instances, authenticate: auth }));
  app.use(scopedRouter(adminRouter({ admin: services.admin, authenticate: auth })));
  const uploads = deps.uploads ?? new UploadGate({ mediaDir: config.mediaDir, limits: config.uploadLimits });
  app.use(scopedRouter(zapiRouter({ auth: services.zapiAuth, zapi: services.zapi, uploads })));
  for (const router of deps.extraRouters ?? []) app.use(router);
  app.use(webAppRouter());

  app.use(notFound());
  app.use(errorHandler(logger));
  return app;
}
