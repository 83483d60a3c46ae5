// The demo language model (SmolLM2-135M-Instruct, Q4_1 GGUF), fetched by
// scripts/fetch-models.sh into the model cache outside the checkout.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { repoRoot } from './node.mjs';

export const modelsDir = process.env.MODELCHAIN_MODELS || path.join(os.homedir(), '.cache', 'modelchain', 'models');
export const ggufFile = path.join(modelsDir, 'smollm2.gguf');
export const cardFile = path.join(repoRoot, 'models', 'smollm2', 'model.json');
export const card = () => JSON.parse(fs.readFileSync(cardFile, 'utf8'));

/** The GGUF, or a clear failure telling how to get it. */
export function requireGguf() {
  if (!fs.existsSync(ggufFile)) {
    throw new Error(`${ggufFile} is missing: run scripts/fetch-models.sh (scripts/test.sh does)`);
  }
  return ggufFile;
}

/**
 * Serves files over HTTP on 127.0.0.1, honouring `Range: bytes=N-` (resumable downloads):
 * `routes` maps a path to `{ file, flipByte }` (`flipByte`: serve the file with that byte
 * changed, a tampered mirror). Resolves to `{ url(path), requests, close() }`.
 */
export async function serveFiles(routes) {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url, range: req.headers.range });
    const route = routes[req.url];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const size = fs.statSync(route.file).size;
    const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    res.writeHead(start > 0 ? 206 : 200, { 'content-length': size - start });
    let offset = start;
    fs.createReadStream(route.file, { start })
      .on('data', (chunk) => {
        if (route.flipByte !== undefined && route.flipByte >= offset && route.flipByte < offset + chunk.length) {
          chunk = Buffer.from(chunk);
          chunk[route.flipByte - offset] ^= 0xff;
        }
        offset += chunk.length;
        res.write(chunk);
      })
      .on('end', () => res.end());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
