export { type Localized, translate } from './i18n.js';
export {
  type AccountLink,
  applyLink,
  type Claims,
  DEFAULT_MAPPING,
  groupsOf,
  type MappedIdentity,
  type MappingConfig,
  type MappingResult,
  mapIdentity,
  type SyncMode,
  type UpdatableField,
  userUpdater,
} from './mapping.js';
export {
  globToRegExp,
  type Parsed,
  type PeerTubeRole,
  parseQuotaRules,
  parseRoleRules,
  parseSize,
  type QuotaRule,
  type RoleRule,
} from './rules.js';
export { PEERTUBE_USERNAME, sanitiseUsername, USERNAME_MAX, usernameCandidates } from './username.js';
