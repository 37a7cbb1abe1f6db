// SPDX-License-Identifier: AGPL-3.0-or-later
import axios from '@nextcloud/axios';
import { translate as t } from '@nextcloud/l10n';
import { generateOcsUrl } from '@nextcloud/router';

/** An OCS call that did not succeed: `message` is for the person using the page, in their language. */
export class OcsError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'OcsError';
  }
}

interface Envelope {
  ocs: { meta: { status: string; statuscode: number; message?: string }; data: unknown };
}

function isEnvelope(body: unknown): body is Envelope {
  const ocs = (body as Envelope | null)?.ocs;
  return typeof ocs === 'object' && ocs !== null && typeof ocs.meta?.statuscode === 'number' && 'data' in ocs;
}

/**
 * One OCS v2 call (`/ocs/v2.php/...`, `OCS-APIRequest: true`, JSON): its `data` when `meta.statuscode` is 200,
 * else an OcsError carrying the server's message. @nextcloud/axios adds the CSRF token of the page.
 */
export async function ocs(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const url = generateOcsUrl(path);
  let status: number;
  let payload: unknown;
  try {
    const response = await axios.request({
      method,
      url,
      data: body,
      headers: { 'OCS-APIRequest': 'true', Accept: 'application/json' },
      params: { format: 'json' },
      validateStatus: () => true,
    });
    status = response.status;
    payload = response.data;
  } catch {
    throw new OcsError(t('laboite', 'Nextcloud could not be reached. Check your connection and try again.'), 0);
  }
  if (!isEnvelope(payload)) {
    throw new OcsError(t('laboite', 'Nextcloud gave an unexpected answer (HTTP {status}).', { status }), status);
  }
  const { meta, data } = payload.ocs;
  if (meta.statuscode !== 200 || status !== 200) {
    const message = meta.message || t('laboite', 'Nextcloud refused the request (HTTP {status}).', { status });
    throw new OcsError(message, meta.statuscode);
  }
  return data;
}
