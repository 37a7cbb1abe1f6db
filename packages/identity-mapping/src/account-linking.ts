import { type Localized, translate } from './i18n.js';
import type { MappedIdentity } from './mapping.js';

/**
 * Which PeerTube account a person signing in through the IdP gets (shared by the OIDC and SAML plugins). PeerTube finds external users by email
 * (shared/reference/peertube.md), so the email sent decides the account; the plugin keeps, per IdP subject, the
 * PeerTube user it is linked to (by PeerTube's user id) and always sends that user's own email and username.
 * The rules, in order:
 * 1. linked: a subject already linked signs in to its account, whatever email the IdP now gives (an email change at
 *    the IdP keeps the account; an attacker changing their IdP email to a victim's gets their own account);
 * 2. verified-email: a first sign-in needs email_verified true (unless the administrator turned that off);
 * 3. email-linked-elsewhere: a first sign-in whose email is already linked to another subject is refused (account
 *    takeover by a second IdP account claiming a victim's email);
 * 4. local-account: a first sign-in whose email belongs to a PeerTube account of another kind (local, another
 *    plugin) is refused with a clear page (PeerTube would refuse it with a bare error);
 * 5. adopt: an account this plugin created but that no subject is linked to (made before the links existed) is
 *    linked to this subject;
 * 6. new: otherwise a new link, and PeerTube creates the account (its username made unique by PeerTube itself).
 */
export interface AccountLink {
  readonly subject: string;
  /** PeerTube's user id, once the account exists (null between the first callback and the token exchange). */
  readonly userId: number | null;
  readonly email: string;
}

export interface PeerTubeAccount {
  readonly id: number;
  readonly username: string;
  readonly email: string;
  readonly pluginAuth: string | null;
}

export type LinkRefusal = 'email_unverified' | 'email_linked_elsewhere' | 'email_of_other_account';

/** The page text for each refusal, in French and English. */
export function refusalMessage(reason: LinkRefusal): Localized {
  const key = {
    email_unverified: 'deny.emailUnverified',
    email_linked_elsewhere: 'deny.emailLinkedElsewhere',
    email_of_other_account: 'deny.emailOfOtherAccount',
  } as const;
  return translate(key[reason]);
}

export type LinkDecision =
  | {
      readonly kind: 'sign-in';
      readonly username: string;
      readonly email: string;
      /** What to record: nothing new, a new link, or the user id of a link that had none. */
      readonly record:
        | { readonly kind: 'none' }
        | { readonly kind: 'link'; readonly userId: number | null; readonly email: string };
    }
  | { readonly kind: 'refuse'; readonly reason: LinkRefusal };

export interface LinkFacts {
  readonly identity: MappedIdentity;
  readonly emailVerified: boolean | null;
  readonly requireVerifiedEmail: boolean;
  /** The link of this subject, and the PeerTube user it designates (by id, or by its email while the id is unknown). */
  readonly link: AccountLink | null;
  readonly linkedUser: PeerTubeAccount | null;
  /** For the identity's email (ignoring case): the subject linked to it, and the PeerTube user that has it. */
  readonly emailLinkedTo: string | null;
  readonly emailUser: PeerTubeAccount | null;
  /** The plugin's npm name, as PeerTube records it in pluginAuth. */
  readonly npmName: string;
}

export function decideLink(facts: LinkFacts): LinkDecision {
  const { identity, link } = facts;
  if (link) {
    const user = facts.linkedUser;
    return {
      kind: 'sign-in',
      username: user?.username ?? identity.username,
      email: user?.email ?? link.email,
      record: { kind: 'none' },
    };
  }
  if (facts.requireVerifiedEmail && facts.emailVerified !== true) return { kind: 'refuse', reason: 'email_unverified' };
  if (facts.emailLinkedTo !== null && facts.emailLinkedTo !== identity.subject)
    return { kind: 'refuse', reason: 'email_linked_elsewhere' };
  const existing = facts.emailUser;
  if (existing && existing.pluginAuth !== facts.npmName) return { kind: 'refuse', reason: 'email_of_other_account' };
  if (existing) {
    return {
      kind: 'sign-in',
      username: existing.username,
      email: existing.email,
      record: { kind: 'link', userId: existing.id, email: existing.email },
    };
  }
  return {
    kind: 'sign-in',
    username: identity.username,
    email: identity.email,
    record: { kind: 'link', userId: null, email: identity.email },
  };
}
