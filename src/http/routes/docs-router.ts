import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';

/** /openapi.json and the Swagger UI at /docs. */
export function docsRouter(document: object): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'Zap Engine API' }));
  return router;
}
