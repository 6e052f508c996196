import { Router, type RequestHandler } from 'express';

/**
 * /openapi.json and the Swagger UI at /docs. The document is built at the first request (zod-to-openapi walks every
 * schema) and swagger-ui-express is loaded then too: neither is on the start-up path, which a restarted node spends
 * bringing its sockets back.
 */
export function docsRouter(buildDocument: () => object): Router {
  const router = Router();
  let document: object | null = null;
  const getDocument = (): object => (document ??= buildDocument());
  router.get('/openapi.json', (_req, res) => {
    res.json(getDocument());
  });
  let ui: Promise<Router> | null = null;
  const swagger: RequestHandler = (req, res, next) => {
    ui ??= import('swagger-ui-express').then(({ default: swaggerUi }) => {
      const docs = Router();
      docs.use(swaggerUi.serve, swaggerUi.setup(getDocument(), { customSiteTitle: 'Zap Engine API' }));
      return docs;
    });
    ui.then((docs) => docs(req, res, next), next);
  };
  router.use('/docs', swagger);
  return router;
}
