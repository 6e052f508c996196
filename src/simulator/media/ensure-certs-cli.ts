/**
 * Creates (once) the simulator's local CA and media server certificate in .sandbox/certs and prints the CA file.
 * Runs as `npm test`'s pretest hook: NODE_EXTRA_CA_CERTS is read only at process start, so the CA file
 * must exist before Jest starts. An optional first argument overrides the directory.
 */
import { ensureCertificates } from './certificates.js';

const dir = process.argv[2] ?? '.sandbox/certs';
const { caFile } = await ensureCertificates(dir);
process.stdout.write(`${caFile}\n`);
