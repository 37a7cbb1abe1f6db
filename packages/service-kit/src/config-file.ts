import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * A service's YAML configuration file, read: the document, or the one problem that stops it (unreadable file,
 * broken YAML) worded for the administrator; the service's schema then checks the document.
 */
export function readYamlFile(path: string): { ok: true; document: unknown } | { ok: false; problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, problem: `cannot read ${path}: ${error instanceof Error ? error.message : error}` };
  }
  try {
    return { ok: true, document: parseYaml(text) };
  } catch (error) {
    return {
      ok: false,
      problem: `${path}: ${error instanceof Error ? error.message.split('\n')[0] : 'unreadable YAML'}`,
    };
  }
}

/** A schema's problems as the administrator reads them, one line each: `oidc.issuer: Invalid URL`. */
export function problemLines(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string[] {
  return issues.map((i) => `${i.path.map(String).join('.') || '(file)'}: ${i.message}`);
}
