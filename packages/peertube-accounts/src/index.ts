export { type AccountStore, accountTables, createAccountStore, type Database } from './account-store.js';
export {
  createGuard,
  errorMessage,
  type PluginLogger,
  registerAccountHooks,
  registerSettings,
} from './plugin-entry.js';
export { refusalPage } from './refusal-page.js';
export { decideSignIn, type SignInOutcome } from './sign-in.js';
