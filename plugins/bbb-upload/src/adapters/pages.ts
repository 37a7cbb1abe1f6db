import { escapeHtml } from '@apps-education/i18n';
import { type Locale, type MessageKey, translate } from '../core/i18n.js';
import type { Room, RoomDocument } from '../core/rooms.js';

/**
 * The service's pages, in the French state's design system (DSFR), in French or English after Accept-Language.
 * Every value inserted is escaped. Forms work without JavaScript except the upload, which also takes the keyboard
 * (a file input and a button); checked by axe-core in a browser test.
 */
export interface PageContext {
  readonly locale: Locale;
  readonly basePath: string;
  /** The person signed in, or null. */
  readonly user: { readonly displayName: string } | null;
  /** The form token of this session (CSRF), or null without a session. */
  readonly csrf: string | null;
}

const t = (ctx: PageContext, key: MessageKey, values: Record<string, string | number> = {}) => {
  const escaped = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, escapeHtml(String(v))]));
  return translate(key, escaped)[ctx.locale];
};
const e = escapeHtml;

function layout(ctx: PageContext, title: string, main: string, options: { script?: string } = {}): string {
  // Below the header, not in DSFR's header tools: those hide on a phone behind a menu this service has no need of.
  const account = ctx.user
    ? `<div class="fr-container account"><p class="fr-mb-0">${e(ctx.user.displayName)}</p>${form(ctx, `${ctx.basePath}/logout`, `<button class="fr-btn fr-btn--tertiary-no-outline fr-btn--sm" type="submit">${t(ctx, 'page.logout')}</button>`)}</div>`
    : '';
  return `<!doctype html>
<html lang="${ctx.locale}" data-fr-scheme="system">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${e(title)} – ${t(ctx, 'page.brand')}</title>
<link rel="stylesheet" href="${ctx.basePath}/static/dsfr/dsfr.min.css">
<link rel="stylesheet" href="${ctx.basePath}/static/app.css">
</head>
<body>
<div class="fr-skiplinks"><nav class="fr-container" aria-label="${t(ctx, 'page.skip')}"><ul class="fr-skiplinks__list"><li><a class="fr-link" href="#contenu">${t(ctx, 'page.skip')}</a></li></ul></nav></div>
<header role="banner" class="fr-header"><div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row"><div class="fr-header__brand"><div class="fr-header__brand-top"><div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div></div><div class="fr-header__service"><a href="${ctx.basePath}/rooms"><p class="fr-header__service-title">${t(ctx, 'page.brand')}</p></a></div></div></div></div></div></header>
${account}
<main role="main" id="contenu" class="fr-container fr-my-4w" tabindex="-1">
${main}
</main>
${options.script ? `<script src="${ctx.basePath}/static/${options.script}"></script>` : ''}
</body>
</html>
`;
}

/** A POST form with this session's CSRF token. */
function form(ctx: PageContext, action: string, inner: string, attributes = ''): string {
  return `<form method="post" action="${e(action)}"${attributes}><input type="hidden" name="_csrf" value="${e(ctx.csrf ?? '')}">${inner}</form>`;
}

const alert = (kind: 'error' | 'success' | 'info', title: string, body = '') =>
  `<div class="fr-alert fr-alert--${kind} fr-mb-3w" role="${kind === 'error' ? 'alert' : 'status'}"><h2 class="fr-alert__title">${title}</h2>${body ? `<p>${body}</p>` : ''}</div>`;

const sizeOf = (ctx: PageContext, bytes: number) =>
  bytes >= 1_000_000
    ? t(ctx, 'page.size.mb', { n: (bytes / 1_000_000).toLocaleString(ctx.locale, { maximumFractionDigits: 1 }) })
    : t(ctx, 'page.size.kb', { n: Math.max(1, Math.round(bytes / 1_000)) });

function checkbox(ctx: PageContext, name: string, label: MessageKey, checked: boolean): string {
  return `<div class="fr-fieldset__element"><div class="fr-checkbox-group"><input type="checkbox" id="${name}" name="${name}"${checked ? ' checked' : ''}><label class="fr-label" for="${name}">${t(ctx, label)}</label></div></div>`;
}

export interface RoomView {
  readonly room: Room;
  readonly documents: readonly RoomDocument[];
  readonly owners: readonly string[];
  readonly inviteUrl: string;
  readonly running: boolean;
  readonly recordings: readonly {
    readonly recordId: string;
    readonly playbackUrl: string | null;
    readonly startedAt: number;
  }[];
  readonly maxBytes: number;
  readonly notice?: { readonly kind: 'error' | 'success'; readonly text: string } | undefined;
}

export const pages = {
  home: (ctx: PageContext) =>
    layout(
      ctx,
      t(ctx, 'page.home.title'),
      `<h1>${t(ctx, 'page.home.title')}</h1><p>${t(ctx, 'page.home.body')}</p><p><a class="fr-btn" href="${ctx.basePath}/login">${t(ctx, 'page.login')}</a></p>`,
    ),

  rooms: (ctx: PageContext, rooms: readonly Room[], notice?: string) =>
    layout(
      ctx,
      t(ctx, 'page.rooms.title'),
      `<h1>${t(ctx, 'page.rooms.title')}</h1>${notice ? alert('error', notice) : ''}
${
  rooms.length === 0
    ? `<p>${t(ctx, 'page.rooms.none')}</p>`
    : `<ul class="fr-grid-row fr-grid-row--gutters rooms">${rooms
        .map(
          (room) =>
            `<li class="fr-col-12 fr-col-md-6"><div class="fr-card fr-enlarge-link"><div class="fr-card__body"><div class="fr-card__content"><h2 class="fr-card__title"><a href="${ctx.basePath}/rooms/${e(room.id)}">${e(room.name)}</a></h2></div></div></div></li>`,
        )
        .join('')}</ul>`
}
<h2 class="fr-mt-4w">${t(ctx, 'page.rooms.create')}</h2>
${form(
  ctx,
  `${ctx.basePath}/rooms`,
  `<div class="fr-input-group"><label class="fr-label" for="room-name">${t(ctx, 'page.room.name')}<span class="fr-hint-text">${t(ctx, 'page.room.nameHint')}</span></label><input class="fr-input" type="text" id="room-name" name="name" required maxlength="100" autocomplete="off"></div><button class="fr-btn" type="submit">${t(ctx, 'page.rooms.createButton')}</button>`,
)}`,
    ),

  room: (ctx: PageContext, view: RoomView) => {
    const { room, documents } = view;
    const base = `${ctx.basePath}/rooms/${e(room.id)}`;
    const firstId = room.firstDocumentId ?? documents[0]?.id ?? null;
    const documentRows = documents
      .map((doc, index) => {
        const isFirst = doc.id === firstId;
        return `<tr><td>${index + 1}</td><td>${e(doc.filename)}${isFirst ? ` <p class="fr-badge fr-badge--info fr-badge--sm">${t(ctx, 'page.documents.first')}</p>` : ''}</td><td>${sizeOf(ctx, doc.size)}</td><td class="actions">
${form(ctx, `${base}/documents/${e(doc.id)}/move`, `<input type="hidden" name="direction" value="up"><button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit"${index === 0 ? ' disabled' : ''}>${t(ctx, 'page.documents.up', { name: doc.filename })}</button>`)}
${form(ctx, `${base}/documents/${e(doc.id)}/move`, `<input type="hidden" name="direction" value="down"><button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit"${index === documents.length - 1 ? ' disabled' : ''}>${t(ctx, 'page.documents.down', { name: doc.filename })}</button>`)}
${isFirst ? '' : form(ctx, `${base}/documents/${e(doc.id)}/first`, `<button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit">${t(ctx, 'page.documents.makeFirst', { name: doc.filename })}</button>`)}
${form(ctx, `${base}/documents/${e(doc.id)}/downloadable`, `<input type="hidden" name="downloadable" value="${doc.downloadable ? 'off' : 'on'}"><button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit" aria-pressed="${doc.downloadable}">${t(ctx, doc.downloadable ? 'page.documents.downloadableOn' : 'page.documents.downloadableOff', { name: doc.filename })}</button>`)}
${form(ctx, `${base}/documents/${e(doc.id)}/delete`, `<button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit">${t(ctx, 'page.documents.delete', { name: doc.filename })}</button>`)}
</td></tr>`;
      })
      .join('');
    const s = room.settings;
    return layout(
      ctx,
      room.name,
      `<h1>${e(room.name)}</h1>
${view.notice ? alert(view.notice.kind, e(view.notice.text)) : ''}
<div class="fr-btns-group fr-btns-group--inline-md fr-mb-3w">
${form(ctx, `${base}/start`, `<button class="fr-btn" type="submit">${t(ctx, view.running ? 'page.room.join' : 'page.room.start')}</button>`)}
${view.running ? form(ctx, `${base}/end`, `<button class="fr-btn fr-btn--secondary" type="submit">${t(ctx, 'page.room.end')}</button>`) : ''}
</div>
<section class="fr-mb-4w" aria-labelledby="documents-title">
<h2 id="documents-title">${t(ctx, 'page.documents.title')}</h2>
<p>${t(ctx, 'page.documents.intro', { max: sizeOf(ctx, view.maxBytes) })}</p>
${
  documents.length === 0
    ? `<p>${t(ctx, 'page.documents.none')}</p>`
    : `<div class="fr-table"><table><caption>${t(ctx, 'page.documents.caption')}</caption><thead><tr><th scope="col">${t(ctx, 'page.documents.order')}</th><th scope="col">${t(ctx, 'page.documents.name')}</th><th scope="col">${t(ctx, 'page.documents.size')}</th><th scope="col">${t(ctx, 'page.documents.actions')}</th></tr></thead><tbody>${documentRows}</tbody></table></div>`
}
<div class="upload" data-upload-url="${base}/documents" data-csrf="${e(ctx.csrf ?? '')}" data-max-bytes="${view.maxBytes}">
<div class="fr-upload-group drop-zone">
<label class="fr-label" for="files">${t(ctx, 'page.upload.label')}<span class="fr-hint-text">${t(ctx, 'page.upload.hint')}</span></label>
<input class="fr-upload" type="file" id="files" name="files" multiple accept=".pdf,.doc,.docx,.odt,.rtf,.txt,.ppt,.pptx,.odp,.xls,.xlsx,.ods,.odg,.jpg,.jpeg,.png,.svg">
</div>
<button class="fr-btn fr-btn--secondary fr-mt-2w" type="button" id="upload-button">${t(ctx, 'page.upload.button')}</button>
<ul class="upload-list" id="upload-list" aria-live="polite"></ul>
<template id="upload-messages"><span data-key="uploading">${t(ctx, 'page.upload.uploading')}</span><span data-key="done">${t(ctx, 'page.upload.done')}</span><span data-key="failed">${t(ctx, 'page.upload.failed')}</span><span data-key="retry">${t(ctx, 'page.upload.retry')}</span><span data-key="tooLarge">${t(ctx, 'page.upload.tooLarge')}</span></template>
</div>
</section>
<section class="fr-mb-4w" aria-labelledby="settings-title">
<h2 id="settings-title">${t(ctx, 'page.settings.title')}</h2>
${form(
  ctx,
  `${base}/settings`,
  `<div class="fr-input-group"><label class="fr-label" for="name">${t(ctx, 'page.room.name')}</label><input class="fr-input" type="text" id="name" name="name" required maxlength="100" value="${e(room.name)}"></div>
<div class="fr-input-group"><label class="fr-label" for="welcome">${t(ctx, 'page.settings.welcome')}</label><textarea class="fr-input" id="welcome" name="welcome" maxlength="500">${e(s.welcome)}</textarea></div>
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">${t(ctx, 'page.settings.options')}</legend>
${checkbox(ctx, 'recordingAllowed', 'page.settings.recording', s.recordingAllowed)}
${checkbox(ctx, 'waitingRoom', 'page.settings.waitingRoom', s.waitingRoom)}
${checkbox(ctx, 'muteOnStart', 'page.settings.muteOnStart', s.muteOnStart)}
</fieldset>
<div class="fr-input-group"><label class="fr-label" for="maxParticipants">${t(ctx, 'page.settings.maxParticipants')}<span class="fr-hint-text">${t(ctx, 'page.settings.maxParticipantsHint')}</span></label><input class="fr-input" type="number" min="0" max="10000" id="maxParticipants" name="maxParticipants" value="${s.maxParticipants || ''}"></div>
<button class="fr-btn" type="submit">${t(ctx, 'page.settings.save')}</button>`,
)}
</section>
<section class="fr-mb-4w" aria-labelledby="invite-title">
<h2 id="invite-title">${t(ctx, 'page.invite.title')}</h2>
<p>${t(ctx, 'page.invite.body')}</p>
<div class="fr-input-group"><label class="fr-label" for="invite">${t(ctx, 'page.invite.label')}</label><input class="fr-input" type="text" id="invite" readonly value="${e(view.inviteUrl)}"></div>
</section>
<section class="fr-mb-4w" aria-labelledby="owners-title">
<h2 id="owners-title">${t(ctx, 'page.owners.title')}</h2>
<ul>${view.owners
        .map(
          (owner) =>
            `<li>${e(owner)} ${view.owners.length > 1 ? form(ctx, `${base}/owners/remove`, `<input type="hidden" name="username" value="${e(owner)}"><button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit">${t(ctx, 'page.owners.remove', { name: owner })}</button>`, ' class="inline"') : ''}</li>`,
        )
        .join('')}</ul>
${form(
  ctx,
  `${base}/owners`,
  `<div class="fr-input-group"><label class="fr-label" for="owner">${t(ctx, 'page.owners.add')}<span class="fr-hint-text">${t(ctx, 'page.owners.hint')}</span></label><input class="fr-input" type="text" id="owner" name="username" required maxlength="100" autocomplete="off"></div><button class="fr-btn fr-btn--secondary" type="submit">${t(ctx, 'page.owners.addButton')}</button>`,
)}
</section>
<section class="fr-mb-4w" aria-labelledby="recordings-title">
<h2 id="recordings-title">${t(ctx, 'page.recordings.title')}</h2>
${
  view.recordings.length === 0
    ? `<p>${t(ctx, 'page.recordings.none')}</p>`
    : `<ul>${view.recordings
        .map(
          (r) =>
            `<li>${e(new Date(r.startedAt).toLocaleString(ctx.locale, { timeZone: 'Europe/Paris' }))} ${r.playbackUrl ? `<a class="fr-link" href="${e(r.playbackUrl)}">${t(ctx, 'page.recordings.play')}</a>` : ''} ${form(ctx, `${base}/recordings/delete`, `<input type="hidden" name="recordId" value="${e(r.recordId)}"><button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit">${t(ctx, 'page.recordings.delete')}</button>`, ' class="inline"')}</li>`,
        )
        .join('')}</ul>`
}
</section>
<section aria-labelledby="delete-title">
<h2 id="delete-title">${t(ctx, 'page.delete.title')}</h2>
<p>${t(ctx, 'page.delete.body')}</p>
${form(ctx, `${base}/delete`, `<button class="fr-btn fr-btn--tertiary" type="submit">${t(ctx, 'page.delete.button', { name: room.name })}</button>`)}
</section>`,
      { script: 'upload.js' },
    );
  },

  guest: (ctx: PageContext, room: Room, inviteCode: string, notice?: string) =>
    layout(
      ctx,
      room.name,
      `<h1>${e(room.name)}</h1>${notice ? alert('info', notice) : ''}
<form method="post" action="${ctx.basePath}/join/${e(inviteCode)}"><div class="fr-input-group"><label class="fr-label" for="guest-name">${t(ctx, 'page.guest.name')}</label><input class="fr-input" type="text" id="guest-name" name="name" required maxlength="60" autocomplete="name"></div><button class="fr-btn" type="submit">${t(ctx, 'page.guest.join')}</button></form>`,
    ),

  message: (ctx: PageContext, kind: 'error' | 'info', title: MessageKey, body: string) =>
    layout(ctx, t(ctx, title), `<h1 class="fr-sr-only">${t(ctx, title)}</h1>${alert(kind, t(ctx, title), e(body))}`),
};
