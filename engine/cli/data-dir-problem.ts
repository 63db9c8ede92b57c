import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Why `dir` could not be created, in words, from the error `mkdirSync(dir, { recursive: true })`
 * threw. Node's recursive mkdir reports ENOENT when a parent cannot be made (a read-only file
 * system, no permission), so the nearest folder that exists is asked directly.
 *
 * @example
 * dataDirProblem('/ro-mount/a/b', err) // { code: 'EROFS', why: '/ro-mount is on a read-only file system' }
 */
export function dataDirProblem(dir: string, err: unknown): { code: string; why: string } {
  let code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  let ancestor = dir;
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  try {
    if (!statSync(ancestor).isDirectory()) return { code: 'ENOTDIR', why: `a part of that path is a regular file, not a folder (${ancestor})` };
    if (ancestor !== dir) accessSync(ancestor, constants.W_OK);
  } catch (probe) {
    code = (probe as NodeJS.ErrnoException).code ?? code;
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') return { code, why: 'a part of that path is a regular file, not a folder' };
  if (code === 'EROFS') return { code, why: `${ancestor} is on a read-only file system` };
  if (code === 'EACCES' || code === 'EPERM') return { code, why: `no permission to create folders in ${ancestor}` };
  if (code === 'ENOSPC') return { code, why: `no space left on the device of ${ancestor}` };
  return { code, why: code };
}
