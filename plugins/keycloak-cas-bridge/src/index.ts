/** The bridge as a library: for the sandbox and for tests of other pieces that need a CAS server. */
export { type BridgeConfig, loadConfig, parseConfig } from './entry/config.js';
export { type RunningBridge, startBridge } from './entry/server.js';
