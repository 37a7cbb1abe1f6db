import { createMemoryTicketStore } from '../src/adapters/ticket-store.memory.js';
import { storeRules } from './ticket-security.js';

storeRules('memory', async () => {
  const store = createMemoryTicketStore();
  return { store, close: () => store.close() };
});
