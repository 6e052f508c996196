/** Run by global-setup in a child process (tsx), since Jest loads globalSetup as CommonJS without module mapping. */
import { dropStaleTestDatabases, ensureTemplate } from './database.js';

await ensureTemplate();
await dropStaleTestDatabases();
