import { describe, expect, it } from 'vitest';
import { decideLink, type LinkFacts, type MappedIdentity, refusalMessage } from '../src/index.js';

const NPM = 'peertube-plugin-apps-auth-oidc';
const identity: MappedIdentity = {
  subject: 'sub-a',
  username: 'alice',
  email: 'alice@ac-test.fr',
  displayName: 'Alice',
  role: 2,
};
const facts = (over: Partial<LinkFacts> = {}): LinkFacts => ({
  identity,
  emailVerified: true,
  requireVerifiedEmail: true,
  link: null,
  linkedUser: null,
  emailLinkedTo: null,
  emailUser: null,
  npmName: NPM,
  ...over,
});

/** Each rule of src/account-linking.ts by name. */
describe('account linking', () => {
  it('linked: signs in to the linked account with its own username and email, whatever the IdP says now', () => {
    const decision = decideLink(
      facts({
        identity: { ...identity, email: 'victim@ac-test.fr', username: 'victim' },
        link: { subject: 'sub-a', userId: 7, email: 'alice@ac-test.fr' },
        linkedUser: { id: 7, username: 'alice-1', email: 'alice@ac-test.fr', pluginAuth: NPM },
        emailVerified: false,
      }),
    );
    expect(decision).toEqual({
      kind: 'sign-in',
      username: 'alice-1',
      email: 'alice@ac-test.fr',
      record: { kind: 'none' },
    });
  });

  it('linked: a link whose account is not created yet sends the linked email', () => {
    const decision = decideLink(facts({ link: { subject: 'sub-a', userId: null, email: 'old@ac-test.fr' } }));
    expect(decision).toMatchObject({ kind: 'sign-in', username: 'alice', email: 'old@ac-test.fr' });
  });

  it('verified-email: a first sign-in with email_verified false or absent is refused', () => {
    expect(decideLink(facts({ emailVerified: false }))).toEqual({ kind: 'refuse', reason: 'email_unverified' });
    expect(decideLink(facts({ emailVerified: null }))).toEqual({ kind: 'refuse', reason: 'email_unverified' });
    expect(decideLink(facts({ emailVerified: null, requireVerifiedEmail: false })).kind).toBe('sign-in');
  });

  it('email-linked-elsewhere: a first sign-in with an email linked to another subject is refused', () => {
    expect(decideLink(facts({ emailLinkedTo: 'sub-victim' }))).toEqual({
      kind: 'refuse',
      reason: 'email_linked_elsewhere',
    });
  });

  it('local-account: an email that a local or another plugin’s account has is refused', () => {
    for (const pluginAuth of [null, 'peertube-plugin-auth-ldap'])
      expect(
        decideLink(facts({ emailUser: { id: 1, username: 'root', email: 'alice@ac-test.fr', pluginAuth } })),
      ).toEqual({ kind: 'refuse', reason: 'email_of_other_account' });
  });

  it('adopt: an account of this plugin that no subject is linked to is linked to this one', () => {
    const decision = decideLink(
      facts({ emailUser: { id: 3, username: 'alice', email: 'Alice@ac-test.fr', pluginAuth: NPM } }),
    );
    expect(decision).toEqual({
      kind: 'sign-in',
      username: 'alice',
      email: 'Alice@ac-test.fr',
      record: { kind: 'link', userId: 3, email: 'Alice@ac-test.fr' },
    });
  });

  it('new: otherwise a new link with the mapped username and email, the account made by PeerTube', () => {
    expect(decideLink(facts())).toEqual({
      kind: 'sign-in',
      username: 'alice',
      email: 'alice@ac-test.fr',
      record: { kind: 'link', userId: null, email: 'alice@ac-test.fr' },
    });
  });
});

it('explains every refusal in French and English', () => {
  for (const reason of ['email_unverified', 'email_linked_elsewhere', 'email_of_other_account'] as const) {
    const { fr, en } = refusalMessage(reason);
    expect(fr.length).toBeGreaterThan(40);
    expect(en.length).toBeGreaterThan(40);
    expect(fr).not.toBe(en);
  }
});
