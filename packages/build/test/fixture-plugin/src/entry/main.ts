// A stand-in PeerTube plugin: it uses openid-client 6, which is ESM-only, as the auth plugins will.
import * as oidc from 'openid-client';

export async function register(): Promise<string> {
  return typeof oidc.discovery === 'function' && oidc.randomState().length > 20 ? 'registered' : 'broken';
}

export async function unregister(): Promise<void> {}

export const metaUrlWorks = (): boolean => import.meta.url.startsWith('file:');
