import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { type RunningPeer, requireCommand, startPeer } from './system-peer.js';
import { tempDir } from './tmp.js';

export interface PrometheusSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface RunningPrometheus {
  readonly url: string;
  /** An instant query; throws with Prometheus' error for a bad expression. */
  query(expr: string): Promise<PrometheusSample[]>;
  /** Polls a query until it returns data; throws after timeoutMs. */
  eventually(expr: string, timeoutMs?: number): Promise<PrometheusSample[]>;
  /** The loaded rules with their health (ok, err, unknown) and last error. */
  rules(): Promise<{ name: string; health: string; lastError?: string }[]>;
  /** The alerts pending or firing now, as `alertname/instance`. */
  alerts(): Promise<{ name: string; instance: string; state: string; labels: Record<string, string> }[]>;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (Debian's) scraping every second and evaluating the given rule files every second, with its data
 * in a scratch folder: for the tests that check every shipped dashboard query and alert rule against what a service
 * really serves.
 */
export async function startPrometheus(options: {
  scrapeConfigs: readonly Record<string, unknown>[];
  ruleFiles?: readonly string[];
}): Promise<RunningPrometheus> {
  const command = requireCommand('prometheus', 'prometheus');
  const dir = await tempDir('prometheus-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir.path, 'prometheus.yml');
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: options.ruleFiles ?? [],
      scrape_configs: options.scrapeConfigs,
    }),
  );
  let peer: RunningPeer;
  try {
    peer = await startPeer({
      name: 'prometheus',
      command,
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir.path, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      readyCheck: async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok === true,
    });
  } catch (error) {
    await dir.remove();
    throw error;
  }
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}/api/v1/${path}`)).json()) as { status: string; error?: string; data: T };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
    return body.data;
  };
  const query = async (expr: string) =>
    (await api<{ result: PrometheusSample[] }>(`query?${new URLSearchParams({ query: expr })}`)).result;
  return {
    url,
    query,
    async eventually(expr, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const result = await query(expr);
        if (result.length > 0) return result;
        if (Date.now() > deadline) throw new Error(`no data for ${expr} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async rules() {
      const data = await api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>('rules');
      return data.groups.flatMap((g) => g.rules);
    },
    async alerts() {
      const data = await api<{ alerts: { labels: Record<string, string>; state: string }[] }>('alerts');
      return data.alerts.map((a) => ({
        name: a.labels.alertname ?? '',
        instance: a.labels.instance ?? '',
        state: a.state,
        labels: a.labels,
      }));
    },
    async stop() {
      await peer.stop();
      await dir.remove();
    },
  };
}

/**
 * The measured part of an alert expression: each side of `and`/`or` without its threshold. Alerts are quiet on a
 * healthy service, so their full expressions return nothing; their measured parts must return data, which proves
 * the metric names, labels and joins against what the service really serves.
 */
export function measuredParts(expr: string): string[] {
  return expr.split(/\s+(?:and|or)\s+/).map((part) => part.replace(/\s*(?:==|!=|>=|<=|>|<)\s*[\d.]+\s*$/, '').trim());
}
