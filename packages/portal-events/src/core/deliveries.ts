import { createHash } from 'node:crypto';
import type { PortalEvent } from './events.js';
import { type Locale, type Localized, translate } from './i18n.js';

/** Who one POST to the portal reaches: LaBoite takes one user, one group, or several groups per call. */
export type DeliveryTarget =
  | { readonly kind: 'user'; readonly username: string }
  | { readonly kind: 'group'; readonly groupId: string }
  | { readonly kind: 'groups'; readonly groupIds: readonly string[] };

/** What is kept in the outbox for one POST: both languages, so the portal language can change until delivery. */
export interface DeliveryPayload {
  readonly target: DeliveryTarget;
  readonly title: Localized;
  readonly content: Localized;
  readonly link: string;
}

export interface PlannedDelivery {
  readonly eventId: string;
  readonly eventType: PortalEvent['type'];
  /** Sent as `Idempotency-Key`; the same event and target always give the same key. */
  readonly idempotencyKey: string;
  /** Usernames this row is about (recipient, author), so erasing a person finds their rows. */
  readonly people: readonly string[];
  readonly payload: DeliveryPayload;
}

function notificationText(event: PortalEvent): { title: Localized; content: Localized; link: string } {
  switch (event.type) {
    case 'share.created': {
      const values = { sharedBy: event.data.sharedBy.displayName, itemName: event.data.itemName };
      return {
        title: translate('event.share.created.title', values),
        content: translate(
          event.data.itemType === 'file' ? 'event.share.created.content.file' : 'event.share.created.content.folder',
          values,
        ),
        link: event.data.link,
      };
    }
    case 'meeting.started': {
      const { roomName, groupName } = event.data;
      return {
        title: translate('event.meeting.started.title', { roomName }),
        content:
          groupName === undefined
            ? translate('event.meeting.started.content', { roomName })
            : translate('event.meeting.started.content.group', { roomName, groupName }),
        link: event.data.joinUrl,
      };
    }
    case 'recording.ready':
      return {
        title: translate('event.recording.ready.title', { roomName: event.data.roomName }),
        content: translate('event.recording.ready.content', { roomName: event.data.roomName }),
        link: event.data.playbackUrl,
      };
  }
}

function targetKey(target: DeliveryTarget): string {
  switch (target.kind) {
    case 'user':
      return `user:${target.username}`;
    case 'group':
      return `group:${target.groupId}`;
    case 'groups':
      return `groups:${[...target.groupIds].sort().join(',')}`;
  }
}

export function idempotencyKey(eventId: string, target: DeliveryTarget): string {
  return createHash('sha256')
    .update(`${eventId}\n${targetKey(target)}`)
    .digest('base64url');
}

/**
 * Splits an event into the POSTs LaBoite needs: one per user (its API takes one user per call), and one for all the
 * groups (one group, or the several-groups form). Each is delivered, retried and dead-lettered on its own, so an
 * unknown user does not hold back the others.
 */
export function planDeliveries(event: PortalEvent): PlannedDelivery[] {
  const text = notificationText(event);
  const author = event.type === 'share.created' ? [event.data.sharedBy.username] : [];
  const targets: DeliveryTarget[] = event.recipients.users.map((username) => ({ kind: 'user', username }));
  const groups = event.recipients.groups;
  if (groups.length === 1 && groups[0] !== undefined) targets.push({ kind: 'group', groupId: groups[0] });
  else if (groups.length > 1) targets.push({ kind: 'groups', groupIds: groups });
  return targets.map((target) => ({
    eventId: event.id,
    eventType: event.type,
    idempotencyKey: idempotencyKey(event.id, target),
    people: [...new Set([...(target.kind === 'user' ? [target.username] : []), ...author])],
    payload: { target, ...text },
  }));
}

/** LaBoite's `POST /api/notifications` bodies (app/imports/api/notifications/server/rest.js in LaBoite 5.8). */
export type LaboiteNotificationBody =
  | { userId: ''; username: string; title: string; content: string; type: 'info'; link: string }
  | { groupId: string; title: string; content: string; link: string }
  | { groupsId: string[]; title: string; content: string; link: string };

/**
 * The portal shows one text: pick the configured language. For one user, LaBoite enters the user branch only when a
 * `userId` key is present, then looks the user up by `username` when `userId` is empty: hence `userId: ""`.
 */
export function laboiteBody(payload: DeliveryPayload, locale: Locale): LaboiteNotificationBody {
  const common = { title: payload.title[locale], content: payload.content[locale], link: payload.link };
  switch (payload.target.kind) {
    case 'user':
      return { userId: '', username: payload.target.username, ...common, type: 'info' };
    case 'group':
      return { groupId: payload.target.groupId, ...common };
    case 'groups':
      return { groupsId: [...payload.target.groupIds], ...common };
  }
}
