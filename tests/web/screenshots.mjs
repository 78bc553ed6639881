// Screenshots of the web page for a human to look at (not a test): desktop 1280x800 and phone
// 390x844, light and dark, with the stickers given (plus a text file, to show an error card).
//
//   BASE_URL=http://127.0.0.1:PORT OUT=/tmp/shots node tests/web/screenshots.mjs STICKER...
// Env: CHROMIUM (default /usr/bin/chromium). Writes OUT/{desktop,phone}-{light,dark}.png.

import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS } from './chromium.mjs';

const { BASE_URL, OUT = 'screenshots' } = process.env;
const stickers = process.argv.slice(2);
if (!BASE_URL || !stickers.length) {
  console.error('usage: BASE_URL=http://HOST:PORT [OUT=dir] node screenshots.mjs STICKER...');
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: CHROMIUM_FLAGS,
});
try {
  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    for (const colorScheme of ['light', 'dark']) {
      const context = await browser.newContext({
        viewport,
        colorScheme,
        deviceScaleFactor: 1,
        isMobile: device === 'phone',
        hasTouch: device === 'phone',
      });
      const page = await context.newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error') console.log(`  console: ${msg.text()}`);
      });
      await page.goto(`${BASE_URL}/`);
      await page.screenshot({ path: join(OUT, `${device}-${colorScheme}-empty.png`) });
      await page.setInputFiles('#files', [
        ...stickers.map((path) => ({ name: basename(path), mimeType: 'application/octet-stream', buffer: readFileSync(path) })),
        { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a sticker\n') },
      ]);
      await page.waitForFunction(() => [...document.querySelectorAll('.sticker')]
        .every((card) => card.getAttribute('aria-busy') === 'false'), null, { timeout: 120_000 });
      const first = page.locator('.sticker').first();
      await first.locator('input.scrubber').focus();
      for (let i = 0; i < 20; i += 1) await page.keyboard.press('ArrowRight');
      await first.locator('img.frame[data-frame="20"]').waitFor({ timeout: 30_000 });
      await first.locator('button.preset[data-preset="whatsapp"]').click();
      await first.locator('.preset-row[data-preset="whatsapp"] .preset-result:is(.good, .bad)')
        .waitFor({ timeout: 60_000 });
      await first.locator('input.scrubber').focus();
      const path = join(OUT, `${device}-${colorScheme}.png`);
      await page.screenshot({ path, fullPage: true });
      console.log(path);
      await context.close();
    }
  }
} finally {
  await browser.close();
}
