import { t } from '../i18n';
import { Link } from '../ui';

export function NotFoundPage(props: { message?: string }) {
  return (
    <section class="card narrow" data-testid="not-found">
      <h1>404 · {t('Page not found')}</h1>
      <p>{props.message ?? t('There is nothing here, or you are not allowed to see it.')}</p>
      <Link href="/">{t('Back to instances')}</Link>
    </section>
  );
}
