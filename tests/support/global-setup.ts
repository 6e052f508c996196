import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Once per run: build the migrated template database that each test file copies (see database.ts).
 * Runs through tsx in a child process: Jest loads this file as CommonJS, without the `.js` → `.ts` mapping.
 */
export default async function globalSetup(): Promise<void> {
  const root = process.cwd();
  execFileSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'tests/support/prepare-databases.ts')], {
    stdio: 'inherit',
    cwd: root,
  });
}
