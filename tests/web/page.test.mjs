// The web page in a real browser: Debian's chromium driven by playwright-core.
//
// Run by tests/integration/web.rs against a running `tgs-converter serve`:
//   BASE_URL=http://127.0.0.1:PORT node tests/web/page.test.mjs
// Env: BASE_URL (required), CHROMIUM (default /usr/bin/chromium), FIXTURE (default the smiley
// sticker). Prints one line per step; exits 1 with the reason on the first failed check.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS } from './chromium.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const BASE_URL = process.env.BASE_URL;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FIXTURE = process.env.FIXTURE || join(HERE, '../fixtures/sticker/smiley.tgs');
// The smiley fixture: 512x512, 90 frames at 30 fps (README, tests/integration/http.rs).
const SIZE = 512;
const FRAMES = 90;
const WAIT = { timeout: 30_000 };

if (!BASE_URL) {
  console.error('page.test: BASE_URL is not set (the address of a running tgs-converter serve)');
  process.exit(2);
}

function check(ok, message) {
  if (!ok) throw new Error(message);
}

function step(name) {
  console.log(`page.test: ${name}`);
}

const ascii = (bytes, start, end) => Buffer.from(bytes.subarray(start, end)).toString('latin1');

/** The browser downloads `button`'s file; resolves to its bytes and suggested name. */
async function downloadOf(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download', WAIT), button.click()]);
  const path = await download.path();
  return { bytes: readFileSync(path), name: download.suggestedFilename() };
}

/** The pixels of a loaded <img> as a short digest (the canvas is same-origin: blob: URLs). */
async function pixelDigest(img) {
  return img.evaluate((node) => {
    const canvas = document.createElement('canvas');
    canvas.width = node.naturalWidth;
    canvas.height = node.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(node, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 2166136261;
    let opaque = 0;
    for (let i = 0; i < data.length; i += 1) {
      hash = Math.imul(hash ^ data[i], 16777619) >>> 0;
      if (i % 4 === 3 && data[i] > 0) opaque += 1;
    }
    return { hash, opaque, width: canvas.width, height: canvas.height };
  });
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: CHROMIUM_FLAGS,
  timeout: 60_000,
});
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();

  // Every console error and uncaught exception fails the run, except the resource errors the
  // browser logs for the answers the error step provokes on purpose.
  let phase = 'load';
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const expected = phase === 'bad file' && /status of 4\d\d/.test(msg.text())
      && /\/(info|convert)(\?|$)/.test(msg.location().url);
    if (!expected) problems.push(`console ${msg.type()} during ${phase}: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception during ${phase}: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed during ${phase}: ${req.url()} ${req.failure()?.errorText}`));
  page.on('request', (req) => {
    if (!req.url().startsWith(BASE_URL) && !req.url().startsWith('blob:') && !req.url().startsWith('data:')) {
      problems.push(`request to another origin: ${req.url()}`);
    }
  });

  step('open /');
  const res = await page.goto(`${BASE_URL}/`);
  check(res.status() === 200, `GET / answered ${res.status()}`);
  const csp = res.headers()['content-security-policy'] ?? '';
  check(csp.includes("default-src 'self'"), `GET / has no default-src 'self' policy: ${csp}`);
  check((await page.title()) === 'tgs-converter', `title is ${await page.title()}`);

  step('keyboard: the first Tab reaches the file picker');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.id);
  check(focused === 'files', `the first Tab focused ${focused}, not the file input`);

  step('add the fixture sticker with the file input');
  phase = 'sticker';
  await page.setInputFiles('#files', FIXTURE);
  const card = page.locator('.sticker').first();
  await card.locator('.info dd').first().waitFor(WAIT);
  const info = await card.locator('.info').innerText();
  check(info.includes(`${SIZE} × ${SIZE}`) && info.includes(String(FRAMES)), `info shows ${JSON.stringify(info)}`);

  step('the animation decodes at the sticker size');
  const anim = card.locator('img.anim');
  await anim.waitFor({ state: 'visible', ...WAIT });
  const animSize = await anim.evaluate((img) => [img.complete, img.naturalWidth, img.naturalHeight]);
  check(animSize[0] && animSize[1] === SIZE && animSize[2] === SIZE, `animation is ${animSize}`);
  const animSrc = await anim.getAttribute('src');
  check(animSrc.startsWith('blob:'), `animation src is ${animSrc}`);

  step('the scrubber shows the exact frame');
  const frame = card.locator('img.frame[data-frame="0"]');
  await frame.waitFor({ state: 'visible', ...WAIT });
  const first = await pixelDigest(frame);
  check(first.width === SIZE && first.height === SIZE && first.opaque > 0, `frame 0 is ${JSON.stringify(first)}`);
  const scrubber = card.locator('input.scrubber');
  check((await scrubber.getAttribute('max')) === String(FRAMES - 1), 'scrubber max is the last frame');
  await scrubber.focus();
  await page.keyboard.press('End'); // keyboard: Home/End/arrows move the range input
  const last = card.locator(`img.frame[data-frame="${FRAMES - 1}"]`);
  await last.waitFor({ state: 'visible', ...WAIT });
  const lastDigest = await pixelDigest(last);
  check(lastDigest.hash !== first.hash, 'frame 89 has the same pixels as frame 0');
  await page.keyboard.press('ArrowLeft');
  await card.locator(`img.frame[data-frame="${FRAMES - 2}"]`).waitFor({ state: 'visible', ...WAIT });
  const label = await card.locator('.frame-label').innerText();
  check(label.startsWith(`${FRAMES - 2} / ${FRAMES - 1}`), `frame label is ${label}`);

  step('download: PNG (the frame shown), WebP, APNG, GIF');
  const magic = {
    png: (b) => ascii(b, 1, 4) === 'PNG' && b.readUInt32BE(16) === SIZE,
    webp: (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP' && b.includes('ANIM'),
    apng: (b) => ascii(b, 1, 4) === 'PNG' && b.includes('acTL') && b.readUInt32BE(16) === SIZE,
    gif: (b) => ascii(b, 0, 6) === 'GIF89a' && b.readUInt16LE(6) === SIZE,
  };
  for (const format of ['png', 'webp', 'apng', 'gif']) {
    const button = card.locator(`button.download[data-format="${format}"]`);
    await button.and(page.locator(':enabled')).waitFor(WAIT);
    const { bytes, name } = await downloadOf(page, button);
    check(magic[format](bytes), `${format} download ${name} is not a ${SIZE} px ${format} (${bytes.length} bytes)`);
    const title = await button.getAttribute('title');
    check(title.includes(`: ${bytes.length} bytes`), `${format} button says ${title}, the file has ${bytes.length} bytes`);
    if (format === 'png') check(name.endsWith(`-frame${FRAMES - 2}.png`), `the PNG is ${name}, not the frame shown`);
    console.log(`page.test:   ${name}: ${bytes.length} bytes, shown as ${await button.locator('.size').innerText()}`);
  }

  step('a platform preset (whatsapp)');
  const preset = card.locator('button.preset[data-preset="whatsapp"]');
  const presetResult = card.locator('.preset-row[data-preset="whatsapp"] .preset-result');
  const answer = page.waitForResponse((r) => r.url().includes('preset=whatsapp'), WAIT);
  const download = page.waitForEvent('download', WAIT).catch(() => null);
  await preset.click();
  const presetResponse = await answer;
  await card.locator('.preset-row[data-preset="whatsapp"] .preset-result:is(.good, .bad)').waitFor(WAIT);
  const presetText = await presetResult.innerText();
  const supported = presetResponse.headers()['x-preset-fps'] !== undefined
    || presetResponse.headers()['x-preset-quality'] !== undefined;
  if (!supported) {
    check(presetText.includes('does not support presets'), `preset without server support shows ${presetText}`);
  } else if (presetResponse.ok()) {
    // WhatsApp's limit for an animated sticker, as the page reads it (500 kB).
    const headers = presetResponse.headers();
    const size = Number(headers['x-image-size'] ?? headers['content-length']);
    if (size <= 500_000) {
      const file = await download;
      check(file !== null, 'a fitting preset starts a download');
      const bytes = readFileSync(await file.path());
      check(bytes.length === size && ascii(bytes, 8, 12) === 'WEBP', `the whatsapp download is ${bytes.length} bytes`);
      check(presetText.startsWith('Fits'), `whatsapp preset of ${size} bytes shows ${presetText}`);
    } else {
      check(presetText.startsWith('Over the limit'), `whatsapp preset of ${size} bytes shows ${presetText}`);
    }
  } else {
    const body = await presetResponse.json();
    check(presetText.includes(body.message), `preset error shows ${presetText}, the server said ${body.message}`);
  }
  console.log(`page.test:   whatsapp: ${presetText}`);

  step("a text file: the server's message is shown, no image");
  phase = 'bad file';
  const text = Buffer.from('these are my notes, not a sticker\n');
  const expected = await (await fetch(`${BASE_URL}/info`, {
    method: 'POST', body: text, headers: { 'Content-Type': 'application/octet-stream' },
  })).json();
  check(typeof expected.message === 'string', 'the server answers a text file with a JSON message');
  await page.setInputFiles('#files', { name: 'notes.txt', mimeType: 'text/plain', buffer: text });
  const bad = page.locator('.sticker', { hasText: 'notes.txt' });
  const error = bad.locator('.error');
  await error.waitFor({ state: 'visible', ...WAIT });
  const shown = await error.innerText();
  check(shown.includes(expected.message), `the card shows ${JSON.stringify(shown)}, the server said ${expected.message}`);
  check((await bad.locator('img:visible').count()) === 0, 'the failed card shows an image');
  check((await bad.locator('img[src]').count()) === 0, 'the failed card has an image with a source');
  await page.waitForTimeout(200); // let late console messages of this step arrive
  phase = 'end';

  step('the remove button takes the card away');
  await bad.locator('button.remove').click();
  check((await page.locator('.sticker').count()) === 1, 'one card left after removing the bad one');

  step('paste Lottie JSON text, drop a file');
  phase = 'paste and drop';
  const square = readFileSync(join(HERE, '../fixtures/http/square.json'), 'utf8'); // 128x96, 30 frames
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  }, square);
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
    const target = document.getElementById('drop');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  }, square);
  for (const name of ['pasted.json', 'dropped.json']) {
    const added = page.locator('.sticker', { hasText: name });
    await added.locator('.info dd').first().waitFor(WAIT);
    const text = await added.locator('.info').innerText();
    check(text.includes('128 × 96') && text.includes('30'), `${name} shows ${JSON.stringify(text)}`);
    await added.locator('img.anim').waitFor({ state: 'visible', ...WAIT });
  }
  check(!(await page.locator('#drop').getAttribute('class')).includes('dragging'), 'the drop zone stays highlighted');
  await page.waitForFunction(() => [...document.querySelectorAll('.sticker')]
    .every((card) => card.getAttribute('aria-busy') === 'false'), null, WAIT);

  check(problems.length === 0, `problems during the run:\n  ${problems.join('\n  ')}`);
  step('ok');
} catch (err) {
  failed = true;
  console.error(`page.test: FAILED: ${err.message}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
