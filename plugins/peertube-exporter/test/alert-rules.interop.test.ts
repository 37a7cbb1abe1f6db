import { fileURLToPath } from 'node:url';
import { artefact, promtoolAlertRules } from '@apps-education/testkit';
import { expect, it } from 'vitest';

/** The alert rules `pnpm build` ships, under Debian's promtool, with their unit tests (prometheus/*.test.yml). */
it('the shipped alert rules pass promtool check rules and every alert passes its unit tests', () => {
  const report = promtoolAlertRules(
    artefact('peertube-alerts'),
    fileURLToPath(new URL('../prometheus/peertube-alerts.test.yml', import.meta.url)),
  );
  expect(report.check.output).toContain('SUCCESS: 10 rules found');
  expect(report.check.status).toBe(0);
  expect(report.test.output).toContain('SUCCESS');
  expect(report.test.status).toBe(0);
  expect(report.alerts).toHaveLength(10);
  expect(report.untested).toEqual([]);
});
