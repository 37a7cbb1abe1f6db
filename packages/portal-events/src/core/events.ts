import { z } from 'zod';
import { PortalEventsError } from './errors.js';

/**
 * Events that plugins send to the portal, version 1.
 *
 * Recipients are portal usernames (LaBoite usernames, equal to Nextcloud user ids) and portal group ids (LaBoite's
 * Mongo `_id`s). An event carries only what its notification needs: no email, no file path, no token.
 */
export const EVENT_SPEC_VERSION = 1;

// LaBoite usernames come from Keycloak's preferred_username: letters, digits and . _ - @ (emails as usernames).
const username = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{N}._@-]+$/u, 'a portal username holds only letters, digits and . _ - @');
// Meteor ids are 17 characters of [23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz]; accept any short id.
const groupId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'a portal group id holds only letters, digits, _ and -');
const displayText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // No control characters: they would break the portal's rendering or the log.
    .regex(/^[^\p{Cc}]*$/u, 'no control characters');
/** Links shown to people: absolute http(s) only, never `javascript:` or `data:`. */
const link = z
  .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
  .max(2048)
  .refine((value) => !new URL(value).username && !new URL(value).password, 'a link must not carry credentials');

const recipients = z
  .object({
    users: z.array(username).max(500).default([]),
    groups: z.array(groupId).max(100).default([]),
  })
  .strict()
  .refine((r) => r.users.length + r.groups.length > 0, 'at least one user or group must receive the event')
  .transform((r) => ({ users: [...new Set(r.users)], groups: [...new Set(r.groups)] }));

const envelope = {
  specVersion: z.literal(EVENT_SPEC_VERSION),
  id: z.uuid(),
  occurredAt: z.iso.datetime({ offset: true }),
  /** The plugin that sends the event, for diagnosis: `nextcloud-laboite`, `bbb-upload`, ... */
  source: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/)
    .default('unknown'),
  recipients,
};

export const shareCreated = z
  .object({
    ...envelope,
    type: z.literal('share.created'),
    data: z
      .object({
        sharedBy: z.object({ username, displayName: displayText(120) }).strict(),
        itemName: displayText(255),
        itemType: z.enum(['file', 'folder']),
        link,
      })
      .strict(),
  })
  .strict();

export const meetingStarted = z
  .object({
    ...envelope,
    type: z.literal('meeting.started'),
    data: z
      .object({
        roomName: displayText(120),
        groupName: displayText(90).optional(),
        joinUrl: link,
      })
      .strict(),
  })
  .strict();

export const recordingReady = z
  .object({
    ...envelope,
    type: z.literal('recording.ready'),
    data: z
      .object({
        roomName: displayText(120),
        playbackUrl: link,
      })
      .strict(),
  })
  .strict();

export const portalEvent = z.discriminatedUnion('type', [shareCreated, meetingStarted, recordingReady]);

export type PortalEvent = z.output<typeof portalEvent>;
export type PortalEventInput = z.input<typeof portalEvent>;
export type PortalEventType = PortalEvent['type'];
export const EVENT_TYPES: readonly PortalEventType[] = ['share.created', 'meeting.started', 'recording.ready'];

/** Parses anything into a valid event, or throws a PortalEventsError saying which field is wrong and why. */
export function parseEvent(input: unknown): PortalEvent {
  const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    // Never String(type): an object's own toString may throw; show strings only, and the kind of anything else.
    const shown = typeof type === 'string' ? type.slice(0, 64) : `(${type === null ? 'null' : typeof type})`;
    throw new PortalEventsError('UNKNOWN_EVENT_TYPE', { type: shown, types: EVENT_TYPES.join(', ') });
  }
  const result = portalEvent.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`);
  throw new PortalEventsError('INVALID_EVENT', { details: details.join('; ') }, details);
}
