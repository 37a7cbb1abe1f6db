export { loadConfig, parseConfig, type ServiceConfig } from './entry/config.js';
export { type RunningService, startService } from './entry/server.js';
