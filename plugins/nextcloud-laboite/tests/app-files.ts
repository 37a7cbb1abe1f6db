import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under a folder whose name ends with `ext`, at any depth. */
function filesEndingWith(root: string, ext: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    if (statSync(path).isDirectory()) return filesEndingWith(path, ext);
    return name.endsWith(ext) ? [path] : [];
  });
}

/** Every PHP file under a folder of the unpacked app, at any depth. */
export const phpFiles = (root: string): string[] => filesEndingWith(root, '.php');

/** Every TypeScript file of the front end's sources, at any depth. */
export const tsFiles = (root: string): string[] => filesEndingWith(root, '.ts');
