export type { Localized } from './i18n.js';
export { type IdpMetadata, METADATA_MAX_BYTES, type MetadataResult, parseIdpMetadata } from './metadata.js';
export { createMetadataSource, type MetadataLog, type MetadataSource } from './metadata-source.js';
export { generateSpCredentials, type SpCredentials } from './sp-credentials.js';
export { hasDtd, parseXmlStrict } from './xml.js';
