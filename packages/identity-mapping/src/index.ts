export {
  type AccountLink,
  decideLink,
  type LinkDecision,
  type LinkFacts,
  type LinkRefusal,
  type PeerTubeAccount,
  refusalMessage,
} from './account-linking.js';
export { type Localized, translate } from './i18n.js';
export {
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
  GROUP_PATTERN,
  globToRegExp,
  type Parsed,
  type PeerTubeRole,
  parseQuotaRules,
  parseRoleRules,
  parseSize,
  type QuotaRule,
  type RoleRule,
} from './rules.js';
export {
  type MappingVocabulary,
  mappingSettings,
  parseMappingSettings,
  type SettingDefinition,
  settingText,
} from './settings.js';
export { PEERTUBE_USERNAME, sanitiseUsername, USERNAME_MAX } from './username.js';
