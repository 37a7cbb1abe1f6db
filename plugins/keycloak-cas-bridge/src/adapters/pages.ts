import { escapeHtml } from '@apps-education/i18n';
import { type Locale, type MessageKey, translate } from '../core/i18n.js';

/**
 * The bridge's pages, in the French state's design system (DSFR) as the ministry's own services are, in French or
 * English after Accept-Language. Every value inserted is escaped. Checked by axe-core in a browser test.
 */
export { localeOf } from '@apps-education/service-kit';

export interface PageContext {
  readonly locale: Locale;
  /** The bridge's base path, e.g. `/cas`, for static assets and links. */
  readonly basePath: string;
}

const t = (ctx: PageContext, key: MessageKey, values: Record<string, string> = {}) => {
  const escaped = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, escapeHtml(v)]));
  return translate(key, escaped)[ctx.locale];
};

function layout(
  ctx: PageContext,
  title: string,
  main: string,
  options: { status?: 'error' | 'success' | 'info'; head?: string } = {},
): string {
  const alert =
    options.status === undefined
      ? ''
      : `<div class="fr-alert fr-alert--${options.status} fr-mb-4w"><h1 class="fr-alert__title">${title}</h1></div>`;
  const heading = options.status === undefined ? `<h1>${title}</h1>` : '';
  return `<!doctype html>
<html lang="${ctx.locale}" data-fr-scheme="system">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} – ${t(ctx, 'page.brand')}</title>
<link rel="stylesheet" href="${ctx.basePath}/static/dsfr/dsfr.min.css">
${options.head ?? ''}
</head>
<body>
<div class="fr-skiplinks"><nav class="fr-container" aria-label="${t(ctx, 'page.skip')}"><ul class="fr-skiplinks__list"><li><a class="fr-link" href="#contenu">${t(ctx, 'page.skip')}</a></li></ul></nav></div>
<header role="banner" class="fr-header"><div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row"><div class="fr-header__brand"><div class="fr-header__brand-top"><div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div></div><div class="fr-header__service"><p class="fr-header__service-title">${t(ctx, 'page.brand')}</p></div></div></div></div></div></header>
<main role="main" id="contenu" class="fr-container fr-my-6w" tabindex="-1">
${alert}${heading}
${main}
</main>
</body>
</html>
`;
}

export const pages = {
  signedIn: (ctx: PageContext, user: string) =>
    layout(
      ctx,
      t(ctx, 'page.signedIn.title'),
      `<p>${t(ctx, 'page.signedIn.body', { user })}</p><p><a class="fr-btn fr-btn--secondary" href="${ctx.basePath}/logout">${t(ctx, 'page.signedIn.logout')}</a></p>`,
      { status: 'success' },
    ),
  /**
   * Front-channel single logout: each application's logout URL loads in a hidden frame from the person's browser;
   * then a button (not an automatic refresh, which WCAG 2.2.1 forbids) goes on to the IdP's logout or the service.
   */
  signedOut: (ctx: PageContext, frontChannel: readonly string[] = [], next?: string) =>
    layout(
      ctx,
      t(ctx, 'page.signedOut.title'),
      `<p>${t(ctx, 'page.signedOut.body')}</p>${frontChannel.map((src) => `<iframe src="${escapeHtml(src)}" title="logout" hidden aria-hidden="true" tabindex="-1" width="0" height="0"></iframe>`).join('')}${next ? `<p><a class="fr-btn" href="${escapeHtml(next)}">${t(ctx, 'page.frontLogout.continue')}</a></p>` : ''}`,
      { status: 'success' },
    ),
  unknownService: (ctx: PageContext) =>
    layout(ctx, t(ctx, 'page.unknownService.title'), `<p>${t(ctx, 'page.unknownService.body')}</p>`, {
      status: 'error',
    }),
  denied: (ctx: PageContext, service: string) =>
    layout(ctx, t(ctx, 'page.denied.title'), `<p>${t(ctx, 'page.denied.body', { service })}</p>`, { status: 'error' }),
  noUsername: (ctx: PageContext, service: string) =>
    layout(ctx, t(ctx, 'page.noUsername.title'), `<p>${t(ctx, 'page.noUsername.body', { service })}</p>`, {
      status: 'error',
    }),
  error: (
    ctx: PageContext,
    reason: 'page.error.expired' | 'page.error.idp' | 'page.error.idpDown' | 'page.error.internal',
  ) =>
    layout(
      ctx,
      t(ctx, 'page.error.title'),
      `<p>${t(ctx, 'page.error.body', { details: translate(reason)[ctx.locale] })}</p>`,
      { status: 'error' },
    ),
  badRequest: (ctx: PageContext, details: string) =>
    layout(ctx, t(ctx, 'page.badRequest.title'), `<p>${t(ctx, 'page.badRequest.body', { details })}</p>`, {
      status: 'error',
    }),
  warn: (ctx: PageContext, service: string, user: string, target: string) =>
    layout(
      ctx,
      t(ctx, 'page.warn.title'),
      `<p>${t(ctx, 'page.warn.body', { service, user })}</p><p><a class="fr-btn" href="${escapeHtml(target)}">${t(ctx, 'page.warn.continue')}</a></p>`,
    ),
  /** `method=POST`: the ticket goes to the service in an auto-submitted form (CAS 3.0.3, 2.1.1). */
  post: (ctx: PageContext, service: string, ticket: string) =>
    layout(
      ctx,
      t(ctx, 'page.post.title'),
      `<p>${t(ctx, 'page.post.body')}</p><form id="cas-post" method="post" action="${escapeHtml(service)}"><input type="hidden" name="ticket" value="${escapeHtml(ticket)}"><button class="fr-btn" type="submit">${t(ctx, 'page.post.continue')}</button></form><script src="${ctx.basePath}/static/autosubmit.js"></script>`,
    ),
};
