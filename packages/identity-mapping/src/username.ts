/**
 * PeerTube usernames (server/core/helpers/custom-validators/users.ts, checked on a real 6.3.3: see
 * shared/reference/peertube.md): `^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$`, 1 to 50 characters. PeerTube does not
 * sanitise what a plugin sends: `John.Doe` is refused. So the claim is lower-cased first (the official plugin did
 * not, turning "John.Doe" into "_ohn._oe"), accents are removed, anything else becomes `_`, and the ends are trimmed.
 */
export const PEERTUBE_USERNAME = /^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$/;
export const USERNAME_MAX = 50;

/** The PeerTube username for an IdP value, or null when nothing usable is left (only punctuation, say). */
export function sanitiseUsername(value: string): string | null {
  let name = value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // accents: é -> e
    .toLowerCase()
    .replace(/@.*$/, '') // an email as username keeps its local part
    .replace(/[^a-z0-9_.-]/g, '_')
    .replace(/[.-]{2,}/g, (run) => run[0] ?? '.');
  name = trimEnds(name.slice(0, USERNAME_MAX));
  return name !== '' && /[a-z0-9]/.test(name) && PEERTUBE_USERNAME.test(name) ? name : null;
}

function trimEnds(name: string): string {
  return name.replace(/^[.-]+/, '').replace(/[.-]+$/, '');
}
