/**
 * `count` portal groups of `size` members drawn from `user0`..`user<users-1>` with LaBoite's roles, the same list for
 * the same arguments (a seeded generator): the platform's groups for the tests and the bench.
 */
export function portalGroups(count: number, size: number, users: number, name = (g: number) => `Groupe ${g}`) {
  let seed = 14;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const roles = ['admin', 'animator', 'member', 'member', 'member'] as const;
  return Array.from({ length: count }, (_, g) => {
    const members = new Map<string, (typeof roles)[number]>();
    while (members.size < size) members.set(`user${random(users)}`, roles[random(roles.length)] ?? 'member');
    return {
      id: `grp${String(g).padStart(14, '0')}`,
      name: name(g),
      slug: `groupe-${g}`,
      members: [...members].map(([username, role]) => ({ username, role })),
      quotaBytes: null,
    };
  });
}
