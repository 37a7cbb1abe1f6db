import { errors, jwtVerify } from 'jose';
import { BbbError } from './client.js';
import { t } from './i18n.js';

/** What BigBlueButton's recording-ready callback says, once its signature is checked. */
export interface RecordingReady {
  readonly meetingID: string;
  readonly recordID: string;
}

/**
 * The `meta_bbb-recording-ready-url` callback: BigBlueButton POSTs `signed_parameters`, an HS256 JWT signed with the
 * shared secret, holding `meeting_id` and `record_id` (shared/reference/bbb.md). Anything else, another algorithm
 * (`none` included) or another secret is refused. It carries no expiry: the caller makes the effect idempotent.
 */
export async function verifyRecordingReady(signedParameters: unknown, secret: string): Promise<RecordingReady> {
  if (typeof signedParameters !== 'string' || signedParameters.length > 4096)
    throw new BbbError('invalidCallback', t('error.callback'), 'signed_parameters missing or too long');
  try {
    const { payload } = await jwtVerify(signedParameters, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    const meetingID = payload.meeting_id;
    const recordID = payload.record_id;
    if (typeof meetingID !== 'string' || typeof recordID !== 'string' || !meetingID || !recordID)
      throw new BbbError('invalidCallback', t('error.callback'), 'meeting_id or record_id missing');
    return { meetingID, recordID };
  } catch (error) {
    if (error instanceof BbbError) throw error;
    const detail = error instanceof errors.JOSEError ? error.code : String(error);
    throw new BbbError('invalidCallback', t('error.callback'), detail);
  }
}
