/**
 * The PeerTube versions the strict host can behave as, and what differs between them for plugins. 6.3.3 is the oldest
 * version the suite supports and the one run by hand (shared/reference/peertube.md, "More facts from a real PeerTube
 * 6.3.3"); 8.2.4 follows the reference's notes from its source and the types of @peertube/peertube-types 8.2.3.
 */
export type PeerTubeVersion = '6.3.3' | '8.2.4';

export const PEERTUBE_VERSIONS: readonly PeerTubeVersion[] = ['6.3.3', '8.2.4'];

export interface VersionBehaviour {
  /** storageManager.deleteData exists (8.x); on 6.3.3 there are only getData and storeData. */
  readonly storageDelete: boolean;
  /** externalAuthToken: single use (8.x) or reusable until it expires (6.3.3). */
  readonly singleUseAuthToken: boolean;
  /** userAuthenticated honours externalRedirectUri (7+; core does not check it, the plugin must). */
  readonly externalRedirectUri: boolean;
  /** userAuthenticated accepts externalId and links accounts by it (8.2.4 source). */
  readonly externalId: boolean;
  /** Users are looked up by email ignoring case (8.x); 6.3.3 compares exactly (Casey@ and casey@ are two accounts). */
  readonly caseInsensitiveEmail: boolean;
  /**
   * How userAuthenticated's optional fields are validated: 6.3.3 tests truthiness (role 0, quota 0 and an empty
   * display name are not checked); 8.x checks every field that is not undefined.
   */
  readonly validateDefinedFields: boolean;
}

export function behaviourOf(version: PeerTubeVersion): VersionBehaviour {
  const eight = version.startsWith('8.');
  return {
    storageDelete: eight,
    singleUseAuthToken: eight,
    externalRedirectUri: eight,
    externalId: eight,
    caseInsensitiveEmail: eight,
    validateDefinedFields: eight,
  };
}
