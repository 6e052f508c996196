import { ESLint } from 'eslint';

/** The layering rules in eslint.config.js fail `npm run lint` (and CI) on a violation. */
describe('layering is enforced by the linter', () => {
  const eslint = new ESLint();
  const errorsOf = async (filePath: string, code: string) =>
    (await eslint.lintText(code, { filePath })).flatMap((r) => r.messages).filter((m) => m.ruleId === 'no-restricted-imports');

  it('refuses http → persistence, services → http, engine → services and Baileys outside src/engine', async () => {
    expect(await errorsOf('src/http/routes/x.ts', "import { MAX_PAGE_SIZE } from '../../persistence/pagination.js';\nexport const x = MAX_PAGE_SIZE;\n")).toHaveLength(1);
    expect(await errorsOf('src/services/x.ts', "import { mapError } from '../http/error-mapper.js';\nexport const x = mapError;\n")).toHaveLength(1);
    expect(await errorsOf('src/engine/x.ts', "import { ids } from '../services/ids.js';\nexport const x = ids;\n")).toHaveLength(1);
    expect(await errorsOf('src/queues/x.ts', "import { x as y } from '../engine/engine-errors.js';\nexport const x = y;\n")).toHaveLength(1);
    expect(await errorsOf('src/wiring/x.ts', "import { makeWASocket } from '@whiskeysockets/baileys';\nexport const x = makeWASocket;\n")).toHaveLength(1);
  });

  it('allows the layers’ own direction', async () => {
    expect(await errorsOf('src/http/routes/x.ts', "import { ids } from '../../services/ids.js';\nexport const x = ids;\n")).toHaveLength(0);
    expect(await errorsOf('src/services/x.ts', "import { x as y } from '../engine/engine-errors.js';\nexport const x = y;\n")).toHaveLength(0);
    expect(await errorsOf('src/engine/x.ts', "import { makeWASocket } from '@whiskeysockets/baileys';\nexport const x = makeWASocket;\n")).toHaveLength(0);
  });
});
