import type { MessageKey } from './i18n.js';

/** A teacher's room: one per class, shared by its co-owners, with its documents in the order they are shown. */
export interface Room {
  readonly id: string;
  readonly name: string;
  readonly settings: RoomSettings;
  /** What guests open to join (the invitation link): random, unguessable, never the room id. */
  readonly inviteCode: string;
  /** The document BigBlueButton shows first, or null (the first in order). */
  readonly firstDocumentId: string | null;
  readonly createdAt: number;
}

export interface RoomSettings {
  readonly welcome: string;
  readonly recordingAllowed: boolean;
  /** Guests wait until a moderator lets them in (guestPolicy ASK_MODERATOR). */
  readonly waitingRoom: boolean;
  readonly muteOnStart: boolean;
  /** 0: no limit. */
  readonly maxParticipants: number;
}

export interface RoomDocument {
  readonly id: string;
  readonly roomId: string;
  /** Where the bytes are in the document store. */
  readonly storageId: string;
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
  readonly position: number;
  readonly downloadable: boolean;
  readonly createdAt: number;
}

export const DEFAULT_SETTINGS: RoomSettings = {
  welcome: '',
  recordingAllowed: false,
  waitingRoom: true,
  muteOnStart: true,
  maxParticipants: 0,
};

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: MessageKey };

const CONTROL = /[\p{Cc}\p{Cf}]/u;

/** A room's name: 1 to 100 characters of text, no control or invisible formatting characters. */
export function checkRoomName(raw: unknown): Checked<string> {
  if (typeof raw !== 'string') return { ok: false, problem: 'problem.name' };
  const name = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (name.length < 1 || name.length > 100 || CONTROL.test(name)) return { ok: false, problem: 'problem.name' };
  return { ok: true, value: name };
}

/** The settings form: every field is read, none is trusted (a checkbox is on only when its value is "on"). */
export function checkSettings(form: Readonly<Record<string, unknown>>): Checked<RoomSettings> {
  const welcome = typeof form.welcome === 'string' ? form.welcome.normalize('NFC').trim() : '';
  if (welcome.length > 500 || /[\p{Cc}]/u.test(welcome.replace(/[\r\n\t]/g, ' ')))
    return { ok: false, problem: 'problem.welcome' };
  const rawMax = typeof form.maxParticipants === 'string' ? form.maxParticipants.trim() : '';
  const maxParticipants = rawMax === '' ? 0 : Number(rawMax);
  if (!Number.isInteger(maxParticipants) || maxParticipants < 0 || maxParticipants > 10_000 || maxParticipants === 1)
    return { ok: false, problem: 'problem.maxParticipants' };
  const on = (name: string) => form[name] === 'on';
  return {
    ok: true,
    value: {
      welcome,
      recordingAllowed: on('recordingAllowed'),
      waitingRoom: on('waitingRoom'),
      muteOnStart: on('muteOnStart'),
      maxParticipants,
    },
  };
}

/** A portal username given as a co-owner (Keycloak's preferred_username: letters, digits, . _ - @). */
export function checkUsername(raw: unknown): Checked<string> {
  if (typeof raw !== 'string') return { ok: false, problem: 'problem.username' };
  const username = raw.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._@-]{0,99}$/.test(username)) return { ok: false, problem: 'problem.username' };
  return { ok: true, value: username };
}

/** A guest's name as the meeting will show it: 1 to 60 characters, no control characters. */
export function checkGuestName(raw: unknown): Checked<string> {
  if (typeof raw !== 'string') return { ok: false, problem: 'problem.guestName' };
  const name = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (name.length < 1 || name.length > 60 || CONTROL.test(name)) return { ok: false, problem: 'problem.guestName' };
  return { ok: true, value: name };
}

/**
 * The documents as BigBlueButton receives them: in their order, and the chosen one first (BigBlueButton shows the
 * first of the list, or the one marked current); without a choice, the order as it is.
 */
export function presentationOrder<D extends { readonly id: string; readonly position: number }>(
  documents: readonly D[],
  firstId: string | null,
): D[] {
  const ordered = [...documents].sort((a, b) => a.position - b.position);
  const first = ordered.findIndex((d) => d.id === firstId);
  if (first <= 0) return ordered;
  const [chosen] = ordered.splice(first, 1);
  return chosen ? [chosen, ...ordered] : ordered;
}

/** The meeting id of a room: stable, and apart from the group meetings' `<groupId>_<slug>` (no underscore). */
export function roomMeetingId(roomId: string): string {
  return `room-${roomId}`;
}

/** The new order after moving one document up or down; the positions become 0..n-1. */
export function moveDocument(
  documents: readonly { readonly id: string; readonly position: number }[],
  id: string,
  direction: 'up' | 'down',
): { id: string; position: number }[] | null {
  const ordered = [...documents].sort((a, b) => a.position - b.position);
  const index = ordered.findIndex((d) => d.id === id);
  if (index < 0) return null;
  const target = direction === 'up' ? index - 1 : index + 1;
  if (target < 0 || target >= ordered.length) return ordered.map((d, position) => ({ id: d.id, position }));
  const moved = ordered[index];
  const other = ordered[target];
  if (!moved || !other) return null;
  ordered[index] = other;
  ordered[target] = moved;
  return ordered.map((d, position) => ({ id: d.id, position }));
}
