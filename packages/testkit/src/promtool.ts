import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { requireCommand } from './system-peer.js';

export interface AlertRulesReport {
  /** `promtool check rules` on the rules file: exit status and output. */
  readonly check: { readonly status: number | null; readonly output: string };
  /** `promtool test rules` on the unit tests, run against this rules file. */
  readonly test: { readonly status: number | null; readonly output: string };
  /** The alert names of the rules file. */
  readonly alerts: readonly string[];
  /** Alerts that no unit test names. */
  readonly untested: readonly string[];
}

/**
 * Runs Debian's promtool on a rules file (the artefact `pnpm build` ships) and its unit tests: both are copied into a
 * scratch folder first, so the tests' `rule_files` entry (the bare file name) reads that very file.
 */
export function promtoolAlertRules(rulesFile: string, testsFile: string): AlertRulesReport {
  const promtool = requireCommand('promtool', 'prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
  try {
    copyFileSync(rulesFile, join(dir, basename(rulesFile)));
    copyFileSync(testsFile, join(dir, basename(testsFile)));
    const run = (args: string[]) => {
      const result = spawnSync(promtool, args, { cwd: dir, encoding: 'utf8' });
      return { status: result.status, output: `${result.stdout}${result.stderr}` };
    };
    const rules = readFileSync(rulesFile, 'utf8');
    const tests = readFileSync(testsFile, 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1] ?? '');
    return {
      check: run(['check', 'rules', basename(rulesFile)]),
      test: run(['test', 'rules', basename(testsFile)]),
      alerts,
      untested: alerts.filter((alert) => !new RegExp(`alertname: ${alert}\\b`).test(tests)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
