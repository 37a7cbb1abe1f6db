import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { BbbError, verifyRecordingReady } from '../src/index.js';

const SECRET = '639259d4-9dd8-4b25-bf01-95f9567eaf4b';
const key = (secret: string) => new TextEncoder().encode(secret);
const signed = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key(secret));

describe("BigBlueButton's recording-ready callback", () => {
  it('gives the meeting and the recording of a JWT signed with the shared secret', async () => {
    const token = await signed({ meeting_id: 'class-6b', record_id: 'abc-123' });
    expect(await verifyRecordingReady(token, SECRET)).toEqual({ meetingID: 'class-6b', recordID: 'abc-123' });
  });

  it('refuses another secret, alg none, a tampered payload, missing claims and anything not a string', async () => {
    const refused = async (value: unknown) => {
      const error = await verifyRecordingReady(value, SECRET).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BbbError);
      expect((error as BbbError).code).toBe('invalidCallback');
      expect((error as BbbError).userMessage.fr).toContain('enregistrement prêt');
    };
    await refused(await signed({ meeting_id: 'class-6b', record_id: 'x' }, 'another-secret'));
    await refused(new UnsecuredJWT({ meeting_id: 'class-6b', record_id: 'x' }).encode());
    const [header, , signature] = (await signed({ meeting_id: 'class-6b', record_id: 'x' })).split('.');
    const forged = Buffer.from(JSON.stringify({ meeting_id: 'class-1a', record_id: 'x' })).toString('base64url');
    await refused(`${header}.${forged}.${signature}`);
    await refused(await signed({ meeting_id: 'class-6b' }));
    await refused(undefined);
    await refused('x'.repeat(5000));
  });
});
