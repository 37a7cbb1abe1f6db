import { GROUP_PATTERN, globToRegExp } from '@apps-education/identity-mapping';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BridgeError } from './errors.js';
import { anchoredRegex, type MatchRule, matches, parseServiceUrl, type ServiceUrl } from './service-url.js';

/**
 * The service registry: which applications may use the bridge, and what each receives. Written by an administrator
 * as YAML, validated whole at load (a broken edit never replaces a good registry), matched in file order.
 */
export interface RegisteredService {
  readonly id: string;
  readonly name: string;
  readonly match: MatchRule;
  /** CAS attribute name -> IdP claim released under that name. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The IdP claim that becomes `cas:user`. */
  readonly usernameAttribute: string;
  /**
   * Proxying (CAS 3.0.3, 2.5.4; like Apereo CAS's proxy policy): which services it may get proxy tickets for
   * (targets), where its pgtUrl may point (callbacks; empty: the origin of the service URL validated), and whether
   * that callback may be an IP address or resolve to a private, loopback or link-local network (off by default: a
   * pgtUrl is chosen by whoever validates a ticket, and would otherwise reach internal hosts).
   */
  readonly proxy: {
    readonly allowed: boolean;
    readonly targets: readonly MatchRule[];
    readonly callbacks: readonly MatchRule[];
    readonly allowPrivateNetworks: boolean;
  };
  readonly logout: { readonly type: 'back-channel' | 'front-channel' | 'none'; readonly url: ServiceUrl | null };
  /** Glob patterns on the IdP's `groups` claim; empty means everyone may sign in. */
  readonly accessGroups: readonly RegExp[];
  readonly forceRenew: boolean;
}

export interface Registry {
  readonly services: readonly RegisteredService[];
  /** The first service whose rule matches, or undefined: an unknown service is never redirected to. */
  find(service: ServiceUrl): RegisteredService | undefined;
  /** The service a ticket was issued for (its id), or undefined when a reload removed it. */
  byId(id: string): RegisteredService | undefined;
}

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and -, at most 64');
// CAS attributes become XML element names (`<cas:mail>`): keep to names every XML parser accepts.
const attributeName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'an XML name: a letter or _, then letters, digits, _ . -');
const claimName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/, 'a claim name');
const urlRule = z.string().max(2048);
const matchSchema = z.union([
  z.object({ exact: urlRule }).strict(),
  z.object({ prefix: urlRule }).strict(),
  z.object({ regex: z.string().min(1).max(1024) }).strict(),
]);
const groupPattern = z.string().regex(GROUP_PATTERN, 'letters, digits, _ . : @ - and * as a wildcard');

const serviceSchema = z
  .object({
    id,
    name: z.string().trim().min(1).max(120),
    match: matchSchema,
    attributes: z.record(attributeName, claimName).default({}),
    usernameAttribute: claimName.default('preferred_username'),
    proxy: z
      .object({
        allowed: z.boolean().default(false),
        targets: z.array(matchSchema).default([]),
        callbacks: z.array(matchSchema).default([]),
        allowPrivateNetworks: z.boolean().default(false),
      })
      .strict()
      .default({ allowed: false, targets: [], callbacks: [], allowPrivateNetworks: false }),
    logout: z
      .object({
        type: z.enum(['back-channel', 'front-channel', 'none']).default('back-channel'),
        url: urlRule.optional(),
      })
      .strict()
      .default({ type: 'back-channel' }),
    access: z
      .object({ groups: z.array(groupPattern).default([]) })
      .strict()
      .default({ groups: [] }),
    renew: z.boolean().default(false),
  })
  .strict();

const registrySchema = z
  .object({ services: z.array(serviceSchema).max(10_000) })
  .strict()
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.services.forEach((service, index) => {
      if (seen.has(service.id))
        ctx.addIssue({ code: 'custom', path: ['services', index, 'id'], message: `duplicate id "${service.id}"` });
      seen.add(service.id);
    });
  });

type MatchInput = z.infer<typeof matchSchema>;

function compileRule(input: MatchInput, path: string, problems: string[]): MatchRule | null {
  if ('regex' in input) {
    try {
      return { kind: 'regex', pattern: anchoredRegex(input.regex) };
    } catch (error) {
      problems.push(`${path}.regex: ${error instanceof Error ? error.message : 'invalid'}`);
      return null;
    }
  }
  const kind = 'exact' in input ? 'exact' : 'prefix';
  const raw = 'exact' in input ? input.exact : input.prefix;
  const parsed = parseServiceUrl(raw);
  if (!parsed.ok) {
    problems.push(`${path}.${kind}: "${raw}" is not a usable URL (${parsed.problem})`);
    return null;
  }
  return { kind, url: parsed.url };
}

/** Parses and validates registry YAML; throws BridgeError INVALID_REGISTRY listing every problem with its path. */
export function parseRegistry(text: string): Registry {
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new BridgeError('INVALID_REGISTRY', [
      `YAML: ${error instanceof Error ? error.message.split('\n')[0] : 'unreadable'}`,
    ]);
  }
  const result = registrySchema.safeParse(document);
  if (!result.success) {
    throw new BridgeError(
      'INVALID_REGISTRY',
      result.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`),
    );
  }
  const problems: string[] = [];
  const services: RegisteredService[] = [];
  result.data.services.forEach((s, index) => {
    const at = `services.${index}`;
    const match = compileRule(s.match, `${at}.match`, problems);
    const targets = s.proxy.targets.map((t, i) => compileRule(t, `${at}.proxy.targets.${i}`, problems));
    const callbacks = s.proxy.callbacks.map((c, i) => compileRule(c, `${at}.proxy.callbacks.${i}`, problems));
    let logoutUrl: ServiceUrl | null = null;
    if (s.logout.url !== undefined) {
      const parsed = parseServiceUrl(s.logout.url);
      if (parsed.ok) logoutUrl = parsed.url;
      else problems.push(`${at}.logout.url: "${s.logout.url}" is not a usable URL (${parsed.problem})`);
    }
    if (match === null || targets.some((t) => t === null) || callbacks.some((c) => c === null)) return;
    services.push({
      id: s.id,
      name: s.name,
      match,
      attributes: s.attributes,
      usernameAttribute: s.usernameAttribute,
      proxy: {
        allowed: s.proxy.allowed,
        targets: targets.filter((t): t is MatchRule => t !== null),
        callbacks: callbacks.filter((c): c is MatchRule => c !== null),
        allowPrivateNetworks: s.proxy.allowPrivateNetworks,
      },
      logout: { type: s.logout.type, url: logoutUrl },
      accessGroups: s.access.groups.map(globToRegExp),
      forceRenew: s.renew,
    });
  });
  if (problems.length > 0) throw new BridgeError('INVALID_REGISTRY', problems);
  const ids = new Map(services.map((s) => [s.id, s]));
  return {
    services,
    find: (service) => services.find((s) => matches(s.match, service)),
    byId: (serviceId) => ids.get(serviceId),
  };
}

/** May this person (by their IdP groups) use the service? */
export function mayAccess(service: RegisteredService, groups: readonly string[]): boolean {
  return (
    service.accessGroups.length === 0 || groups.some((g) => service.accessGroups.some((pattern) => pattern.test(g)))
  );
}

/** May `proxy` obtain a proxy ticket for `target`? */
export function mayProxyTo(proxy: RegisteredService, target: ServiceUrl): boolean {
  return proxy.proxy.allowed && proxy.proxy.targets.some((rule) => matches(rule, target));
}
