/**
 * A LaBoite group's visio (shared/reference/laboite-nextcloud.md): one stable meeting per group, LaBoite's own id
 * `<groupId>_<slug>` (so a visio started from the portal's code and from bbb-upload is the same meeting), and the role
 * from the ID token's `groups` claim, which Keycloak fills from LaBoite as `<role>_<group slug>`: admins and animators
 * are moderators, members viewers, candidates and everyone else nobody.
 */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,198}[a-z0-9])?$/;
/** Meteor ids: 17 characters of its unmistakable alphabet; other ids of the same shape are taken too. */
const GROUP_ID = /^[A-Za-z0-9]{1,32}$/;

export function groupMeetingId(groupId: string, slug: string): string | null {
  return GROUP_ID.test(groupId) && SLUG.test(slug) ? `${groupId}_${slug}` : null;
}

export function groupRole(groupsClaim: unknown, slug: string): 'MODERATOR' | 'VIEWER' | null {
  if (!SLUG.test(slug) || !Array.isArray(groupsClaim)) return null;
  const roles = new Set(
    groupsClaim
      .filter((g): g is string => typeof g === 'string')
      .map((g) => /^(admin|animator|member|candidate)_(.+)$/.exec(g))
      .filter((m): m is RegExpExecArray => m !== null && m[2] === slug)
      .map((m) => m[1]),
  );
  if (roles.has('admin') || roles.has('animator')) return 'MODERATOR';
  return roles.has('member') ? 'VIEWER' : null;
}
