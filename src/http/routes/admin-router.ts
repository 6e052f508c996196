import { Router, type RequestHandler } from 'express';
import type { AdminService } from '../../services/admin-service.js';
import { requirePlatformAdmin } from '../middleware/require-platform-admin.js';
import { AdminInstancesQuerySchema, AdminNodesQuerySchema, PatchTenantBodySchema, TenantIdParamsSchema } from '../schemas/admin-schemas.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import { validate } from '../validate.js';

/** /admin: platform administration across tenants; platform admins only. */
export function adminRouter(deps: { admin: AdminService; authenticate: RequestHandler }): Router {
  const router = Router();
  router.use('/admin', deps.authenticate, requirePlatformAdmin());

  router.get('/admin/tenants', async (_req, res) => {
    res.json({ success: true, data: await deps.admin.listTenants() });
  });

  router.patch('/admin/tenants/:id', async (req, res) => {
    const { id } = validate(TenantIdParamsSchema, req.params, 'params');
    const { plan } = validate(PatchTenantBodySchema, req.body, 'body');
    res.json({ success: true, data: await deps.admin.setPlan(id, plan) });
  });

  router.get('/admin/instances', async (req, res) => {
    const query = validate(AdminInstancesQuerySchema, { ...(req.query as object) }, 'query');
    res.json({ success: true, data: await deps.admin.listInstances(query) });
  });

  router.get('/admin/nodes', async (req, res) => {
    validate(AdminNodesQuerySchema, { ...(req.query as object) }, 'query');
    res.json({ success: true, data: await deps.admin.listNodes() });
  });

  router.post('/admin/instances/:instanceId/restart', async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.admin.restartInstance(instanceId) });
  });

  return router;
}
