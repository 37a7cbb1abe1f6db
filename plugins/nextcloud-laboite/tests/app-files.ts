import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every PHP file under a folder of the unpacked app, at any depth. */
export function phpFiles(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    if (statSync(path).isDirectory()) return phpFiles(path);
    return name.endsWith('.php') ? [path] : [];
  });
}
