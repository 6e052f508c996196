/**
 * Runs before each test file (jest.config.js `setupFilesAfterEnv`): Baileys in the tests runs on the AsyncLocalStorage
 * the product gives it. The product switches every `new AsyncLocalStorage()` to a view of one shared storage before
 * any socket opens (`createEngine`, src/engine/shared-async-storage.ts); Jest hands each test file its own view of
 * `node:async_hooks`, made from Node's module object when the file's imports are first linked, so the switch has to
 * come before them. The contract tests pit bare Baileys against the simulator, as users of Baileys alone run it: they
 * get Node's own.
 */
import { expect } from '@jest/globals';
import { shareAsyncLocalStorage, unshareAsyncLocalStorage } from '../../src/engine/shared-async-storage.js';

const testPath = expect.getState().testPath ?? '';
if (/[\\/]tests[\\/]contract[\\/]/.test(testPath)) unshareAsyncLocalStorage();
else shareAsyncLocalStorage();
