export { algorithmOfChecksum, CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, checksum } from './checksum.js';
export {
  type BbbClient,
  type BbbClientOptions,
  type BbbDocument,
  BbbError,
  type CreatedMeeting,
  type CreateParams,
  createBbbClient,
  documentsXml,
  type JoinParams,
  type Recording,
} from './client.js';
export { groupMeetingId, groupRole } from './groups.js';
export type { Localized } from './i18n.js';
export { type RecordingReady, verifyRecordingReady } from './recording-ready.js';
