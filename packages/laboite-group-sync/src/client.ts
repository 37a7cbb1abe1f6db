import { createTranslator, type Localized } from '@apps-education/i18n';
import { z } from 'zod';
import en from './l10n/en.json' with { type: 'json' };
import fr from './l10n/fr.json' with { type: 'json' };
import { signRequest } from './signature.js';

const translate = createTranslator<keyof typeof fr & keyof typeof en>({ fr, en });

const CONTROL = /[\p{Cc}\p{Cf}]/u;
/** One portal group as Nextcloud must hold it (LaBoite's own model: shared/reference/laboite-nextcloud.md). */
export const groupStateSchema = z
  .object({
    /** LaBoite's group id (a Meteor id). */
    id: z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'a LaBoite group id (letters and digits)'),
    name: z
      .string()
      .min(1)
      .max(90)
      .refine((n) => !CONTROL.test(n), 'no control characters'),
    slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,198}[a-z0-9])?$/, 'a LaBoite slug'),
    members: z
      .array(
        z
          .object({
            /** The portal username, which is the Nextcloud user id. */
            username: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'a portal username'),
            role: z.enum(['admin', 'animator', 'member']),
          })
          .strict(),
      )
      .max(20_000)
      .refine((m) => new Set(m.map((x) => x.username)).size === m.length, 'each member once'),
    /** The group folder's quota in bytes; null: no quota. */
    quotaBytes: z.number().int().min(0).nullable().default(null),
  })
  .strict();

export type GroupState = z.input<typeof groupStateSchema>;

/** What one call changed in Nextcloud (nothing on a second identical call). */
export interface SyncResult {
  readonly changes: readonly string[];
}

export type GroupSyncErrorCode = 'invalid' | 'unauthorized' | 'unavailable' | 'refused' | 'notInstalled';

export class GroupSyncError extends Error {
  override readonly name = 'GroupSyncError';
  readonly userMessage: Localized;
  constructor(
    readonly code: GroupSyncErrorCode,
    details: string,
    /** Worth calling again later (Nextcloud down or slow). */
    readonly retryable: boolean,
  ) {
    const userMessage = translate(`error.${code}`, { details });
    super(userMessage.en);
    this.userMessage = userMessage;
  }
}

export interface GroupSyncClient {
  /** Converges Nextcloud to this group: group, members, folder, permissions by role, quota. */
  putGroup(state: GroupState): Promise<SyncResult>;
  /** The portal group is gone: memberships removed, the folder archived or deleted as the app is set. */
  deleteGroup(groupId: string): Promise<SyncResult>;
  /**
   * A full reconcile: every group, sent in pages of `pageSize` under one run id; after the last page Nextcloud
   * removes the synced groups that the run did not list. The groups may come from a stream (never all in memory).
   */
  reconcile(
    groups: AsyncIterable<GroupState> | Iterable<GroupState>,
    options?: { pageSize?: number },
  ): Promise<SyncResult & { pages: number }>;
}

const API = '/ocs/v2.php/apps/laboite/api/v1';

export function createGroupSyncClient(options: {
  /** Nextcloud's address, e.g. https://nuage.ac-test.fr (no trailing slash needed). */
  nextcloudUrl: string;
  /** The shared secret set in Nextcloud's laboite administration page; 32 characters at least. */
  secret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}): GroupSyncClient {
  const base = new URL(options.nextcloudUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new GroupSyncError('invalid', 'nextcloudUrl must be an http(s) URL', false);
  if (options.secret.length < 32)
    throw new GroupSyncError('invalid', 'the shared secret needs 32 characters at least', false);
  const prefix = base.pathname.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const now = options.now ?? Date.now;

  async function call(method: 'PUT' | 'DELETE' | 'POST', path: string, payload: unknown): Promise<SyncResult> {
    const fullPath = `${prefix}${API}${path}?format=json`;
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const headers = {
      'OCS-APIRequest': 'true',
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...signRequest(options.secret, { method, path: fullPath, body }, now()),
    };
    let response: Response;
    let text: string;
    try {
      response = await doFetch(new URL(fullPath, base.origin), {
        method,
        headers,
        ...(body ? { body } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new GroupSyncError('unavailable', error instanceof Error ? error.message : 'network error', true);
    }
    return readEnvelope(response.status, text);
  }

  return {
    async putGroup(state) {
      const parsed = groupStateSchema.safeParse(state);
      if (!parsed.success) throw new GroupSyncError('invalid', describe(parsed.error), false);
      return call('PUT', `/groups/${parsed.data.id}`, parsed.data);
    },
    async deleteGroup(groupId) {
      if (!/^[A-Za-z0-9]{1,32}$/.test(groupId))
        throw new GroupSyncError('invalid', 'a LaBoite group id (letters and digits)', false);
      return call('DELETE', `/groups/${groupId}`, undefined);
    },
    async reconcile(groups, { pageSize = 100 } = {}) {
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1_000)
        throw new GroupSyncError('invalid', 'pageSize must be 1 to 1000', false);
      const runId = crypto.randomUUID();
      const changes: string[] = [];
      let page: z.output<typeof groupStateSchema>[] = [];
      let pages = 0;
      const send = async (last: boolean) => {
        const result = await call('POST', '/reconcile', { runId, page: pages, last, groups: page });
        changes.push(...result.changes);
        pages++;
        page = [];
      };
      for await (const state of groups) {
        const parsed = groupStateSchema.safeParse(state);
        if (!parsed.success)
          throw new GroupSyncError(
            'invalid',
            `${(state as { id?: unknown }).id ?? '?'}: ${describe(parsed.error)}`,
            false,
          );
        page.push(parsed.data);
        if (page.length === pageSize) await send(false);
      }
      await send(true);
      return { changes, pages };
    },
  };
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(group)'}: ${i.message}`).join('; ');
}

/** OCS v2: the HTTP status follows the envelope's statuscode; the data holds `changes`. */
function readEnvelope(status: number, text: string): SyncResult {
  let envelope: { ocs?: { meta?: { statuscode?: unknown; message?: unknown }; data?: { changes?: unknown } } };
  try {
    envelope = JSON.parse(text);
  } catch {
    if (status === 404) throw new GroupSyncError('notInstalled', `HTTP ${status}`, false);
    throw new GroupSyncError('unavailable', `HTTP ${status}, not an OCS answer`, status >= 500);
  }
  const meta = envelope.ocs?.meta;
  const message = typeof meta?.message === 'string' && meta.message ? meta.message : `HTTP ${status}`;
  if (status === 401 || status === 403) throw new GroupSyncError('unauthorized', message, false);
  if (status === 404 && envelope.ocs?.data === undefined) throw new GroupSyncError('notInstalled', message, false);
  if (status >= 500) throw new GroupSyncError('unavailable', message, true);
  if (status !== 200 || meta?.statuscode !== 200) throw new GroupSyncError('refused', message, false);
  const changes = envelope.ocs?.data?.changes;
  if (!Array.isArray(changes) || !changes.every((c) => typeof c === 'string'))
    throw new GroupSyncError('refused', 'the answer has no list of changes', false);
  return { changes };
}
