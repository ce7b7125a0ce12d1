// Debian's Chromium, launched the same way by vitest's browser mode and by the end-to-end tests:
// no Playwright browser download, no sandbox (CI runs as root), no background network.
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Playwright launch options for it; throws a helpful error when it is not installed. */
export function chromiumLaunchOptions(): { executablePath: string; args: string[]; headless: true } {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true };
}
