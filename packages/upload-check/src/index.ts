export {
  BBB_EXTENSIONS,
  BBB_MAX_BYTES,
  type CheckOptions,
  type CheckResult,
  checkDocument,
  type RefusalReason,
  safeFilename,
} from './check.js';
export type { Localized } from './i18n.js';
