import { useEffect } from 'preact/hooks';
import { api } from './api';
import { setLang, t, useLang, type Lang } from './i18n';
import { AdminPage } from './pages/admin';
import { ApiKeysPage } from './pages/api-keys';
import { AuthPage } from './pages/auth';
import { InstancePage } from './pages/instance';
import { InstancesPage } from './pages/instances';
import { NotFoundPage } from './pages/not-found';
import { match, navigate, usePath } from './router';
import { setMe, useMe } from './session';
import { ActionButton, Link, Spinner } from './ui';

const PUBLIC_PATHS = ['/login', '/signup'];

export function App() {
  useLang();
  const path = usePath();
  const me = useMe();

  useEffect(() => {
    if (me === null && !PUBLIC_PATHS.includes(path)) navigate('/login', true);
    if (me && PUBLIC_PATHS.includes(path)) navigate('/', true);
  }, [me, path]);

  if (me === undefined) {
    return (
      <main class="center" aria-busy="true">
        <Spinner /> {t('Loading…')}
      </main>
    );
  }
  if (me === null || PUBLIC_PATHS.includes(path)) {
    return (
      <>
        <Header />
        <main id="main">
          <AuthPage mode={path === '/signup' ? 'signup' : 'login'} />
        </main>
      </>
    );
  }
  const isAdmin = me.user.role === 'platform_admin';
  let page;
  let params: Record<string, string> | null;
  if (path === '/' || path === '/instances') page = <InstancesPage me={me} />;
  else if ((params = match('/instances/:id', path))) page = <InstancePage id={params.id ?? ''} tab="link" />;
  else if ((params = match('/instances/:id/chats', path))) page = <InstancePage id={params.id ?? ''} tab="chats" />;
  else if ((params = match('/instances/:id/chats/:jid', path))) page = <InstancePage id={params.id ?? ''} tab="chats" jid={params.jid ?? ''} />;
  else if ((params = match('/instances/:id/webhooks', path))) page = <InstancePage id={params.id ?? ''} tab="webhooks" />;
  else if (path === '/api-keys') page = <ApiKeysPage />;
  else if (isAdmin && path === '/platform') page = <AdminPage view="tenants" />;
  else if (isAdmin && path === '/platform/instances') page = <AdminPage view="instances" />;
  else if (isAdmin && path === '/platform/nodes') page = <AdminPage view="nodes" />;
  else page = <NotFoundPage />;
  return (
    <>
      <Header />
      <main id="main">{page}</main>
    </>
  );
}

function Header() {
  const me = useMe();
  const path = usePath();
  const current = useLang();
  const nav = (href: string, label: string, active: boolean) => (
    <Link href={href} class="nav-link" aria-current={active ? 'page' : undefined}>
      {label}
    </Link>
  );
  return (
    <header class="header">
      <a class="skip" href="#main">
        {t('Skip to content')}
      </a>
      <Link href="/" class="brand">
        Zap Engine
      </Link>
      {me && (
        <nav aria-label={t('Main')} class="nav">
          {nav('/', t('Instances'), path === '/' || path.startsWith('/instances'))}
          {nav('/api-keys', t('API keys'), path === '/api-keys')}
          <a class="nav-link" href="/docs" target="_blank" rel="noopener">
            {t('API docs')}
          </a>
          {me.user.role === 'platform_admin' && nav('/platform', t('Platform'), path.startsWith('/platform'))}
        </nav>
      )}
      <div class="header-end">
        <label class="sr-only" for="lang-switch">
          {t('Language')}
        </label>
        <select id="lang-switch" value={current} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
          <option value="pt-BR">Português</option>
          <option value="en">English</option>
        </select>
        {me && (
          <>
            <span class="muted user-email" title={me.tenant.name}>
              {me.user.email}
            </span>
            <ActionButton
              class="btn btn-secondary btn-small"
              onAction={async () => {
                await api('DELETE', '/auth/sessions').catch(() => undefined);
                setMe(null);
                navigate('/login');
              }}
            >
              {t('Log out')}
            </ActionButton>
          </>
        )}
      </div>
    </header>
  );
}
