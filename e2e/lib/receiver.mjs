// A test ATS: records every result webhook POSTed to it and answers 200.
import http from 'node:http';

/** `onEntry(entry)` is called as each webhook arrives (before the answer is sent). */
export async function startReceiver(port, { host = '127.0.0.1', onEntry = null, keep = true } = {}) {
  const received = [];
  const waiters = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try { body = JSON.parse(raw); } catch { /* kept raw */ }
      const entry = { at: Date.now(), method: req.method, url: req.url, headers: req.headers, raw, body };
      if (onEntry) onEntry(entry);
      if (keep) received.push(entry);
      for (const w of [...waiters]) w(entry);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    received,
    /** Resolve with the first entry (already received or arriving) matching `pred`. */
    waitFor(pred, timeoutMs, what) {
      const hit = received.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = received.map((e) => e.raw).slice(-10).join('\n    ') || '(none)';
          reject(new Error(`no ${what} within ${timeoutMs / 1000} s; webhooks received so far:\n    ${seen}`));
        }, timeoutMs);
        const check = (e) => {
          if (pred(e)) { clearTimeout(timer); waiters.delete(check); resolve(e); }
        };
        waiters.add(check);
      });
    },
    close() {
      return new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); });
    },
  };
}
