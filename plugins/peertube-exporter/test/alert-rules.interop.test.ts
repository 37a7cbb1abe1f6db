import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireCommand } from '@apps-education/testkit';
import { expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../prometheus', import.meta.url));

function promtool(args: string[]) {
  const result = spawnSync(requireCommand('promtool', 'prometheus'), args, { cwd: dir, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

it('the alert rules pass promtool check rules', () => {
  const { status, output } = promtool(['check', 'rules', 'peertube-alerts.yml']);
  expect(output).toContain('SUCCESS: 10 rules found');
  expect(status).toBe(0);
});

it('every alert passes its promtool unit tests', () => {
  const { status, output } = promtool(['test', 'rules', 'peertube-alerts.test.yml']);
  expect(output).toContain('SUCCESS');
  expect(status).toBe(0);
});

it('every alert of the rules file has a unit test', async () => {
  const { readFileSync } = await import('node:fs');
  const rules = readFileSync(`${dir}/peertube-alerts.yml`, 'utf8');
  const tests = readFileSync(`${dir}/peertube-alerts.test.yml`, 'utf8');
  const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
  expect(alerts).toHaveLength(10);
  for (const alert of alerts) expect(tests, alert).toContain(`alertname: ${alert}`);
});
