import { useEffect, useState } from 'preact/hooks';
import { api, enc, type AdminInstance, type Plan, type Tenant } from '../api';
import { formatTime, t } from '../i18n';
import { ActionButton, Confirm, ErrorBox, Field, Link, Spinner, StatusBadge } from '../ui';

type View = 'tenants' | 'instances' | 'nodes';

export function AdminPage(props: { view: View }) {
  const tabs: Array<[View, string, string]> = [
    ['tenants', t('Tenants'), '/platform'],
    ['instances', t('All instances'), '/platform/instances'],
    ['nodes', t('Nodes'), '/platform/nodes'],
  ];
  return (
    <section>
      <h1>{t('Platform')}</h1>
      <nav class="tabs" aria-label={t('Platform sections')}>
        {tabs.map(([key, label, href]) => (
          <Link key={key} href={href} class="tab" aria-current={props.view === key ? 'page' : undefined}>
            {label}
          </Link>
        ))}
      </nav>
      {props.view === 'tenants' && <Tenants />}
      {props.view === 'instances' && <AllInstances />}
      {props.view === 'nodes' && <Nodes />}
    </section>
  );
}

function Tenants() {
  const [tenants, setTenants] = useState<Tenant[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () => api<Tenant[]>('GET', '/admin/tenants').then(setTenants).catch(setError);
  useEffect(() => {
    void load();
  }, []);
  if (!tenants) return error ? <ErrorBox error={error} /> : <Loading />;
  return (
    <div class="table-wrap">
      <ErrorBox error={error} />
      <table class="table" data-testid="tenants">
        <thead>
          <tr>
            <th scope="col">{t('Tenant')}</th>
            <th scope="col">{t('Plan')}</th>
            <th scope="col">{t('Instances')}</th>
            <th scope="col">{t('Users')}</th>
            <th scope="col">{t('Created')}</th>
          </tr>
        </thead>
        <tbody>
          {tenants.map((tn) => (
            <tr key={tn.id}>
              <td>{tn.name}</td>
              <td>
                <label class="sr-only" for={`plan-${tn.id}`}>
                  {t('Plan of {name}', { name: tn.name })}
                </label>
                <select
                  id={`plan-${tn.id}`}
                  value={tn.plan}
                  onChange={(e) => {
                    const plan = (e.currentTarget as HTMLSelectElement).value as Plan;
                    setError(null);
                    api('PATCH', `/admin/tenants/${enc(tn.id)}`, { plan })
                      .then(load)
                      .catch((err: unknown) => {
                        setError(err);
                        void load();
                      });
                  }}
                >
                  <option value="starter">starter</option>
                  <option value="pro">pro</option>
                  <option value="enterprise">enterprise</option>
                </select>
              </td>
              <td>{t('{used} of {limit}', { used: tn.instanceCount, limit: tn.instanceLimit })}</td>
              <td>{tn.userCount}</td>
              <td class="small">{formatTime(tn.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Trouble first: disconnected and banned, then pairing, then healthy. */
const STATUS_ORDER: Record<string, number> = { disconnected: 0, banned: 1, qr: 2, created: 3, connected: 4 };

function AllInstances() {
  const [status, setStatus] = useState('');
  const [items, setItems] = useState<AdminInstance[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [restarting, setRestarting] = useState<AdminInstance | null>(null);
  const load = () =>
    api<AdminInstance[]>('GET', `/admin/instances${status ? `?status=${enc(status)}` : ''}`)
      .then((list) => setItems([...list].sort((a, b) => (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9))))
      .catch(setError);
  useEffect(() => {
    setItems(null);
    void load();
  }, [status]);
  return (
    <div>
      <div class="row wrap filters">
        <Field label={t('Status')}>
          {(id) => (
            <select id={id} value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">{t('All')}</option>
              {['disconnected', 'banned', 'qr', 'created', 'connected'].map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <ActionButton class="btn btn-secondary btn-small" onAction={load}>
          {t('Refresh')}
        </ActionButton>
      </div>
      <ErrorBox error={error} />
      {!items && !error && <Loading />}
      {items && items.length === 0 && <p class="muted">{t('No instances match.')}</p>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="admin-instances">
            <thead>
              <tr>
                <th scope="col">{t('Name')}</th>
                <th scope="col">{t('Status')}</th>
                <th scope="col">{t('Phone')}</th>
                <th scope="col">{t('Tenant')}</th>
                <th scope="col">{t('Node')}</th>
                <th scope="col">
                  <span class="sr-only">{t('Actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.id} data-instance={i.id}>
                  <td>
                    {i.name}
                    <div class="muted small">{i.id}</div>
                  </td>
                  <td>
                    <StatusBadge status={i.status} reason={i.statusReason} />
                  </td>
                  <td>{i.phone ?? '—'}</td>
                  <td class="small">
                    <code>{i.tenantId.slice(0, 8)}</code>
                  </td>
                  <td class="small">{i.nodeId ?? '—'}</td>
                  <td>
                    <button type="button" class="btn btn-secondary btn-small" onClick={() => setRestarting(i)}>
                      {t('Restart')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {restarting && (
        <Confirm
          title={t('Restart {name}?', { name: restarting.name })}
          body={t('The connection to WhatsApp is closed and opened again with the saved credentials. Messages keep waiting in the queue; nothing is deleted.')}
          confirmLabel={t('Restart')}
          onClose={() => setRestarting(null)}
          onConfirm={async () => {
            await api('POST', `/admin/instances/${enc(restarting.id)}/restart`);
            await load();
          }}
        />
      )}
    </div>
  );
}

interface NodeView {
  nodeId: string | null;
  instanceCount: number;
  byStatus: Record<string, number>;
  connectedLastHour: number;
  instances: Array<{ id: string; name: string; tenantId: string; status: string; connectedLastHour: number }>;
}

function Nodes() {
  const [nodes, setNodes] = useState<NodeView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () =>
    api<NodeView[]>('GET', '/admin/nodes')
      .then((n) => {
        setNodes(n);
        setError(null);
      })
      .catch(setError);
  useEffect(() => {
    void load();
  }, []);
  if (!nodes) return error ? <ErrorBox error={error} /> : <Loading />;
  const statuses = ['connected', 'qr', 'created', 'disconnected', 'banned'];
  return (
    <div class="stack" data-testid="nodes">
      <div class="row between wrap">
        <p class="muted small">{t('Which node runs which instance, from the socket leases; connections counted from the last hour of connection events.')}</p>
        <ActionButton class="btn btn-secondary btn-small" onAction={load}>
          {t('Refresh')}
        </ActionButton>
      </div>
      <ErrorBox error={error} />
      {nodes.length === 0 && <p class="muted">{t('No instances match.')}</p>}
      {nodes.map((node) => (
        <div class="card" key={node.nodeId ?? 'none'} data-node={node.nodeId ?? ''}>
          <h2>{node.nodeId ?? t('Held by no node')}</h2>
          <p class="row wrap">
            <span class="badge">{t('{n} instances', { n: node.instanceCount })}</span>
            <span class="badge">{t('{n} connections in the last hour', { n: node.connectedLastHour })}</span>
            {statuses.map((s) =>
              node.byStatus[s] ? (
                <span key={s} class={`badge badge-${s}`}>
                  {t(s)}: {node.byStatus[s]}
                </span>
              ) : null,
            )}
          </p>
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{t('Instance')}</th>
                  <th scope="col">{t('Status')}</th>
                  <th scope="col">{t('Connections (1 h)')}</th>
                </tr>
              </thead>
              <tbody>
                {node.instances.map((i) => (
                  <tr key={i.id}>
                    <td>
                      {i.name}
                      <div class="muted small">
                        <code>{i.id}</code>
                      </div>
                    </td>
                    <td>
                      <StatusBadge status={i.status} />
                    </td>
                    <td>{i.connectedLastHour}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </div>
  );
}

function Loading() {
  return (
    <p aria-busy="true">
      <Spinner /> {t('Loading…')}
    </p>
  );
}
