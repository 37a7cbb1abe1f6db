import { createMemoryTicketStore } from '../src/adapters/ticket-store.memory.js';
import { loginStateRules, samlRules, sessionServiceRules, ticketSecurity } from './ticket-security.js';

ticketSecurity('memory', async () => {
  const store = createMemoryTicketStore();
  return { store, close: () => store.close() };
});

loginStateRules('memory', async () => {
  const store = createMemoryTicketStore();
  return { store, close: () => store.close() };
});

samlRules('memory', async () => {
  const store = createMemoryTicketStore();
  return { store, close: () => store.close() };
});

sessionServiceRules('memory', async () => {
  const store = createMemoryTicketStore();
  return { store, close: () => store.close() };
});
