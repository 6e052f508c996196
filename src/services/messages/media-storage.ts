import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { StagedFile } from './staged-upload.js';

/** Where message media lives (uploads waiting to be sent, inbound media). Local disk now; S3-compatible later. */
export interface MediaStorage {
  /** Stores the bytes under `key` (atomically: a reader never sees half a file). Returns the sha256 (hex). */
  put(key: string, data: Buffer): Promise<{ key: string; size: number; sha256: string }>;
  /** Takes over a file staged on the same disk (a rename: the upload is never read into memory). */
  adopt(key: string, file: StagedFile): Promise<{ key: string; size: number; sha256: string }>;
  /** The bytes, or null when nothing is stored under `key`. */
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
}

const KEY = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,200}$/;

/** `<instanceId>/<name>`: the only shape of key the storages accept. */
export function mediaKey(instanceId: string, name: string): string {
  const key = `${instanceId}/${name}`;
  if (!KEY.test(key) || name.startsWith('.')) throw new Error(`invalid media key: ${key}`);
  return key;
}

/**
 * Files under `<root>/<instanceId>/media/<name>` (root = MEDIA_DIR, SESSIONS_DIR by default). Writes go to a
 * temporary file first, then a rename, so a crash never leaves a truncated file under a key.
 */
export class LocalDiskMediaStorage implements MediaStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`invalid media key: ${key}`);
    const [instanceId, name] = key.split('/') as [string, string];
    if (name.startsWith('.') || instanceId.startsWith('.')) throw new Error(`invalid media key: ${key}`);
    const path = join(this.root, instanceId, 'media', name);
    if (!path.startsWith(this.root + sep)) throw new Error(`invalid media key: ${key}`);
    return path;
  }

  async put(key: string, data: Buffer): Promise<{ key: string; size: number; sha256: string }> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, path);
    return { key, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  }

  async adopt(key: string, file: StagedFile): Promise<{ key: string; size: number; sha256: string }> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    try {
      await rename(file.path, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      // Staged on another disk: copy next to the target, then rename (still atomic for readers).
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await copyFile(file.path, tmp);
      await rename(tmp, path);
      await rm(file.path, { force: true });
    }
    return { key, size: file.size, sha256: file.sha256 };
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
