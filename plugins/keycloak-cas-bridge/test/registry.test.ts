import { describe, expect, it } from 'vitest';
import { BridgeError } from '../src/core/errors.js';
import { mayAccess, mayProxyTo, parseRegistry } from '../src/core/registry.js';
import { parseServiceUrl, type ServiceUrl } from '../src/core/service-url.js';

const url = (raw: string): ServiceUrl => {
  const p = parseServiceUrl(raw);
  if (!p.ok) throw new Error(p.problem);
  return p.url;
};

const YAML = `
services:
  - id: moodle
    name: Moodle de l'académie
    match: { prefix: "https://moodle.ac-test.fr/" }
    attributes: { mail: email, displayName: name, memberOf: groups }
    proxy:
      allowed: true
      targets: [{ prefix: "https://api.ac-test.fr/" }]
    access: { groups: ["member_*", "admin_*"] }
  - id: pod
    name: Pod
    match: { regex: "https://pod\\\\.ac-test\\\\.fr/.*" }
    usernameAttribute: email
    logout: { type: front-channel }
    renew: true
`;

function refusal(text: string): BridgeError {
  try {
    parseRegistry(text);
  } catch (error) {
    if (error instanceof BridgeError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('service registry', () => {
  it('loads services with their defaults and matches in file order', () => {
    const registry = parseRegistry(YAML);
    const moodle = registry.find(url('https://moodle.ac-test.fr/login'));
    expect(moodle?.id).toBe('moodle');
    expect(moodle?.usernameAttribute).toBe('preferred_username');
    expect(moodle?.logout.type).toBe('back-channel');
    expect(registry.find(url('https://pod.ac-test.fr/accounts'))?.forceRenew).toBe(true);
    expect(registry.find(url('https://evil.fr/'))).toBeUndefined();
  });

  it('looks a service up by the id its tickets carry', () => {
    const registry = parseRegistry(YAML);
    expect(registry.byId('moodle')).toBe(registry.find(url('https://moodle.ac-test.fr/login')));
    expect(registry.byId('removed-by-a-reload')).toBeUndefined();
  });

  it('gates on IdP groups with * patterns', () => {
    const moodle = parseRegistry(YAML).services[0];
    if (!moodle) throw new Error('no service');
    expect(mayAccess(moodle, ['member_maths-4e-b'])).toBe(true);
    expect(mayAccess(moodle, ['candidate_maths-4e-b'])).toBe(false);
    expect(mayAccess(moodle, [])).toBe(false);
    expect(mayAccess(moodle, ['xmember_x'])).toBe(false);
  });

  it('allows proxying only to the declared targets', () => {
    const [moodle, pod] = parseRegistry(YAML).services;
    if (!moodle || !pod) throw new Error('no service');
    expect(mayProxyTo(moodle, url('https://api.ac-test.fr/v1'))).toBe(true);
    expect(mayProxyTo(moodle, url('https://evil.fr/'))).toBe(false);
    expect(mayProxyTo(pod, url('https://api.ac-test.fr/v1'))).toBe(false);
  });

  it('refuses broken YAML', () => {
    expect(refusal('services: [').details[0]).toMatch(/^YAML:/);
  });

  const one = (service: string) => refusal(`services:\n  - ${service}\n`).details.join('\n');

  it('refuses duplicate ids', () => {
    const error = refusal(`
services:
  - { id: a, name: A, match: { exact: "https://a.fr/" } }
  - { id: a, name: B, match: { exact: "https://b.fr/" } }
`);
    expect(error.details).toEqual(['services.1.id: duplicate id "a"']);
    expect(error.userMessage.fr).toMatch(/^Le registre des services est invalide/);
  });

  it('refuses an unknown key', () => {
    expect(one('{ id: a, name: A, match: { exact: "https://a.fr/" }, colour: red }')).toMatch(/services\.0: .*colour/);
  });

  it('refuses two match kinds at once', () => {
    expect(one('{ id: a, name: A, match: { exact: "https://a.fr/", prefix: "https://a.fr/" } }')).toContain(
      'services.0.match',
    );
  });

  it('refuses a match URL that is not usable', () => {
    expect(one('{ id: a, name: A, match: { prefix: "javascript:alert(1)" } }')).toContain('services.0.match.prefix');
  });

  it('refuses a broken regex', () => {
    expect(one('{ id: a, name: A, match: { regex: "https://(" } }')).toContain('services.0.match.regex');
  });

  it('refuses an attribute name that cannot be an XML element', () => {
    expect(one('{ id: a, name: A, match: { exact: "https://a.fr/" }, attributes: { "1bad name": email } }')).toContain(
      'services.0.attributes',
    );
  });

  it('refuses a YAML alias bomb', () => {
    const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nservices: []`;
    expect(refusal(bomb).code).toBe('INVALID_REGISTRY');
  });
});
