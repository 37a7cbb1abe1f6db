import {
  type Claims,
  decideLink,
  type Localized,
  type MappingConfig,
  mapIdentity,
  refusalMessage,
  userUpdater,
} from '@apps-education/identity-mapping';
import type { AccountStore } from './account-store.js';

/**
 * What both sign-in plugins do once the IdP vouched for a person (an ID token, a SAML assertion): the claims mapped
 * to a PeerTube user (identity-mapping), the access gate, then the account-linking rules, the new link recorded. The
 * result is what `userAuthenticated` takes, or why the person is refused (a page text and a line for the log).
 */
export type SignInOutcome =
  | { readonly ok: true; readonly result: Record<string, unknown> }
  | { readonly ok: false; readonly level: 'info' | 'warn'; readonly log: string; readonly message: Localized };

export async function decideSignIn(
  accounts: AccountStore,
  input: {
    readonly subject: string;
    readonly claims: Claims;
    readonly mapping: MappingConfig;
    /** OIDC's email_verified; null when the protocol has none (SAML). */
    readonly emailVerified: boolean | null;
    readonly requireVerifiedEmail: boolean;
    readonly npmName: string;
  },
): Promise<SignInOutcome> {
  const { subject, mapping } = input;
  const mapped = mapIdentity(subject, input.claims, mapping);
  if (!mapped.ok) return { ok: false, level: 'info', log: mapped.reason, message: mapped.message };
  const { link, user } = await accounts.linked(subject);
  const owners = link ? { linkedTo: null, user: null } : await accounts.emailOwners(mapped.identity.email);
  const decision = decideLink({
    identity: mapped.identity,
    emailVerified: input.emailVerified,
    requireVerifiedEmail: input.requireVerifiedEmail,
    link,
    linkedUser: user,
    emailLinkedTo: owners.linkedTo,
    emailUser: owners.user,
    npmName: input.npmName,
  });
  if (decision.kind === 'refuse')
    return { ok: false, level: 'warn', log: decision.reason, message: refusalMessage(decision.reason) };
  const { record } = decision;
  if (record.kind === 'link' && !(await accounts.link(subject, record.userId, record.email))) {
    // Another subject linked this email or account between our read and this write.
    const reason = 'email_linked_elsewhere';
    return { ok: false, level: 'warn', log: `${reason} (concurrent)`, message: refusalMessage(reason) };
  }
  const { subject: _subject, username: _mapped, email: _email, ...fields } = mapped.identity;
  return {
    ok: true,
    result: {
      ...fields,
      username: decision.username,
      email: decision.email,
      userUpdater: userUpdater(mapping.sync),
      // PeerTube 8.2.4 and later link accounts by this stable id too; earlier versions ignore it.
      externalId: subject,
    },
  };
}
