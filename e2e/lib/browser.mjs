// Debian's Chromium driven by playwright-core (a tool's own browser download does not work
// here). A fresh, empty user-data-dir per launch; the flags keep Chromium off the network.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Launch a persistent context on a new temp profile; `close()` also removes the profile. */
export async function launch(options = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: run pkg-scripts/setup (installs Debian's chromium)`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'screening-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 1000 },
    timeout: 60_000,
    ...options,
  });
  const close = async () => {
    try { await context.close(); } catch { /* already gone */ }
    // Chromium may still be writing (e.g. when a signal closed it): retry, never throw.
    try { fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }); } catch { /* left in tmp */ }
  };
  return { context, close };
}
