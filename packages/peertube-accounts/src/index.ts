export { type AccountStore, accountTables, createAccountStore, type Database } from './account-store.js';
export { refusalPage } from './refusal-page.js';
