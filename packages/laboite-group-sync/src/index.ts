export {
  createGroupSyncClient,
  type GroupState,
  type GroupSyncClient,
  GroupSyncError,
  type GroupSyncErrorCode,
  groupStateSchema,
  type SyncResult,
} from './client.js';
export { canonicalRequest, SIGNATURE_HEADERS, signatureOf, signRequest } from './signature.js';
