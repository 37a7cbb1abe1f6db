import { randomUUID } from 'node:crypto';
import type { PortalEventInput } from '../src/index.js';

export const T0 = Date.UTC(2026, 8, 1, 8, 0, 0);

export function shareEvent(overrides: Partial<Record<string, unknown>> = {}, users = ['alice']): PortalEventInput {
  return {
    specVersion: 1,
    id: randomUUID(),
    type: 'share.created',
    occurredAt: '2026-09-01T08:00:00Z',
    source: 'nextcloud-laboite',
    recipients: { users, groups: [] },
    data: {
      sharedBy: { username: 'bob', displayName: 'Bob Durand' },
      itemName: 'Progression 4e.pdf',
      itemType: 'file',
      link: 'https://nuage.apps.education.fr/f/123',
    },
    ...overrides,
  } as PortalEventInput;
}

export function meetingEvent(groups: string[], users: string[] = []): PortalEventInput {
  return {
    specVersion: 1,
    id: randomUUID(),
    type: 'meeting.started',
    occurredAt: '2026-09-01T08:00:00+02:00',
    source: 'bbb-upload',
    recipients: { users, groups },
    data: { roomName: 'Conseil de classe', groupName: 'Maths 4e B', joinUrl: 'https://visio.apps.education.fr/j/abc' },
  };
}

export function recordingEvent(users: string[]): PortalEventInput {
  return {
    specVersion: 1,
    id: randomUUID(),
    type: 'recording.ready',
    occurredAt: '2026-09-01T09:00:00Z',
    recipients: { users },
    data: { roomName: 'Conseil de classe', playbackUrl: 'https://visio.apps.education.fr/playback/xyz' },
  };
}
