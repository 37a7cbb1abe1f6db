import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PortalEventsError, parseEvent } from '../src/index.js';
import { meetingEvent, recordingEvent, shareEvent } from './fixtures.js';

function refusal(input: unknown): PortalEventsError {
  try {
    parseEvent(input);
  } catch (error) {
    if (error instanceof PortalEventsError) return error;
    throw error;
  }
  throw new Error('the event was accepted');
}

describe('event schema, version 1', () => {
  it('accepts the three event types and removes repeated recipients', () => {
    expect(parseEvent(shareEvent({}, ['alice', 'alice', 'bob'])).recipients.users).toEqual(['alice', 'bob']);
    expect(parseEvent(meetingEvent(['grpMathsXXXXXXXXX'])).type).toBe('meeting.started');
    expect(parseEvent(recordingEvent(['alice'])).source).toBe('unknown');
  });

  it('refuses a type that is an object whose toString throws, without crashing', () => {
    expect(refusal({ ...shareEvent(), type: [{ toString: false }] }).userMessage.en).toContain('"(object)"');
  });

  it('refuses an unknown type and lists the accepted ones', () => {
    const error = refusal({ ...shareEvent(), type: 'share.deleted' });
    expect(error.code).toBe('UNKNOWN_EVENT_TYPE');
    expect(error.userMessage.fr).toContain('share.created, meeting.started, recording.ready');
    expect(error.userMessage.en).toContain('Unknown event type "share.deleted"');
  });

  it('refuses an event without any recipient', () => {
    const error = refusal(shareEvent({ recipients: { users: [], groups: [] } }));
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.details.join()).toContain('at least one user or group');
  });

  it('refuses a javascript: link', () => {
    const error = refusal(shareEvent({ data: { ...(shareEvent().data as object), link: 'javascript:alert(1)' } }));
    expect(error.details.join()).toMatch(/^data\.link/);
  });

  it('refuses a link with credentials in it', () => {
    const error = refusal(
      shareEvent({ data: { ...(shareEvent().data as object), link: 'https://user:pw@nuage.fr/f/1' } }),
    );
    expect(error.details.join()).toContain('credentials');
  });

  it('refuses control characters in a file name', () => {
    const error = refusal(shareEvent({ data: { ...(shareEvent().data as object), itemName: 'a\u0000b' } }));
    expect(error.details.join()).toContain('data.itemName');
  });

  it('refuses a file name longer than 255 characters', () => {
    expect(refusal(shareEvent({ data: { ...(shareEvent().data as object), itemName: 'x'.repeat(256) } })).code).toBe(
      'INVALID_EVENT',
    );
  });

  it('refuses an id that is not a UUID, a wrong specVersion and an unknown field', () => {
    expect(refusal(shareEvent({ id: '42' })).details.join()).toContain('id');
    expect(refusal(shareEvent({ specVersion: 2 })).details.join()).toContain('specVersion');
    expect(refusal(shareEvent({ extra: true })).details.join()).toContain('extra');
  });

  it('refuses a username with spaces or a group id with a slash, naming the field in French and English', () => {
    const user = refusal(shareEvent({}, ['jean dupont']));
    expect(user.userMessage.fr).toContain('recipients.users.0');
    expect(user.userMessage.fr).toMatch(/^L'événement destiné au portail est invalide/);
    expect(refusal(meetingEvent(['../admin'])).details.join()).toContain('recipients.groups.0');
  });

  it('never throws anything but a PortalEventsError, whatever it is given (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        try {
          parseEvent(input);
        } catch (error) {
          return error instanceof PortalEventsError;
        }
        return true;
      }),
      { numRuns: 5000 },
    );
    // Generating fc.anything() is the slow part: room for a machine busy with other work.
  }, 60_000);

  it('refuses mutated valid events with a PortalEventsError, never a crash (property)', () => {
    const base = shareEvent() as Record<string, unknown>;
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(base)), fc.anything(), (key, value) => {
        try {
          parseEvent({ ...base, [key]: value });
          return true;
        } catch (error) {
          return error instanceof PortalEventsError;
        }
      }),
      { numRuns: 5000 },
    );
  }, 60_000);
});
