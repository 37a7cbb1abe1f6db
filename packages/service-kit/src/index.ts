export { problemLines, readYamlFile } from './config-file.js';
export { localeOf } from './locale.js';
export { buildMonitoringServer, type MonitoringDeps, registerGuardedMonitoring } from './monitoring.js';
export { staticFolders } from './static-folders.js';
