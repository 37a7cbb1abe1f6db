import { type Localized, t } from './i18n.js';
import { type IdpMetadata, METADATA_MAX_BYTES, parseIdpMetadata } from './metadata.js';

export interface MetadataSource {
  /** The last good metadata, or null when there is none yet or it is past its validUntil. */
  current(): IdpMetadata | null;
  /** Fetches (or reads) again now; true when the metadata is good. Never rejects. */
  refresh(): Promise<boolean>;
  /** Stops the schedule. */
  stop(): void;
}

export type MetadataLog = (level: 'info' | 'warn' | 'error', message: Localized) => void;

const HOUR = 3_600_000;

/**
 * The IdP's metadata, from what the administrator pasted or from its address, refreshed on a schedule (6 h by
 * default). A refresh that fails (unreachable, an HTTP error, too large, not valid metadata) keeps the last good copy
 * and says why in the log, in French and English; metadata past its validUntil is no longer used. The timer is
 * unref'd and its work never rejects: a PeerTube plugin must not take its host down.
 */
export function createMetadataSource(options: {
  xml?: string;
  url?: string;
  refreshMs?: number;
  timeoutMs?: number;
  log: MetadataLog;
  fetch?: typeof fetch;
  now?: () => number;
}): MetadataSource {
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  let good: IdpMetadata | null = null;
  let timer: NodeJS.Timeout | undefined;

  async function read(): Promise<{ xml: string } | { error: Localized }> {
    if (options.xml !== undefined) return { xml: options.xml };
    const url = options.url ?? '';
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const details = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : '';
      return { error: t('source.unreachable', { url, details }) };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { error: t('source.status', { url, status: response.status }) };
    }
    // Read at most METADATA_MAX_BYTES + 1: a server that sends more is refused without holding it all.
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > METADATA_MAX_BYTES) {
        await reader.cancel();
        break;
      }
    }
    return { xml: Buffer.concat(chunks).toString('utf8') };
  }

  async function refresh(): Promise<boolean> {
    try {
      const got = await read();
      const parsed = 'xml' in got ? parseIdpMetadata(got.xml, now()) : { ok: false as const, error: got.error };
      if (parsed.ok) {
        good = parsed.value;
        return true;
      }
      options.log(good ? 'warn' : 'error', keeping(parsed.error));
      return false;
    } catch (error) {
      options.log('error', keeping(t('source.unexpected', { details: error instanceof Error ? error.message : '' })));
      return false;
    }
  }
  /** The reason, then what happens now: the last good copy stays, or there is none. */
  const keeping = (error: Localized): Localized => {
    const next = t(good ? 'source.keeping' : 'source.none');
    return { fr: `${error.fr} ${next.fr}`, en: `${error.en} ${next.en}` };
  };

  if (options.url !== undefined) {
    timer = setInterval(() => void refresh(), options.refreshMs ?? 6 * HOUR);
    timer.unref();
  }
  return {
    current: () => (good && (good.validUntil === null || good.validUntil > now()) ? good : null),
    refresh,
    stop: () => clearInterval(timer),
  };
}
