// e2e.mjs — one headless chromium session through facefuse's web UI, as a
// user would: open the page, upload a source and a target, see the preview
// change (and change again with the face swapper's weight slider), pick a
// reference face, start, watch the progress reach 100 %, download the
// result, save a screenshot.
//
//   node e2e.mjs URL OUT_DIR SOURCE TARGET
//
// Prints "DOWNLOADED <path>" for the caller (tests/server/test_browser_end_to_end.c),
// which checks the file. Exit 0 on success, 1 with the reason otherwise.
import { chromium } from 'playwright-core';
import path from 'node:path';

const [url, outDir, source, target] = process.argv.slice(2);
const say = (m) => console.log(`e2e: ${m}`);
function check(cond, what) {
  if (!cond) throw new Error(what);
}

// Mean absolute RGB difference of the two preview images, in the page.
function previewDifference() {
  const a = document.querySelector('#preview-original');
  const b = document.querySelector('#preview-result');
  const w = a.naturalWidth, h = a.naturalHeight;
  if (!w || b.naturalWidth !== w || b.naturalHeight !== h) return -1;
  const pixels = (img) => {
    const c = document.createElement('canvas');
    c.width = w; c.height = h;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    return g.getImageData(0, 0, w, h).data;
  };
  const p = pixels(a), q = pixels(b);
  let sum = 0;
  for (let i = 0; i < p.length; i += 4) sum += Math.abs(p[i] - q[i]) + Math.abs(p[i + 1] - q[i + 1]) + Math.abs(p[i + 2] - q[i + 2]);
  return sum / (w * h * 3);
}

// ---- jobsui: face-by-face preview, quality report, terminal (web/jobsui.js)
// Before Start: the face-by-face preview shows crop pairs (twice as wide as
// a row), then back to the side-by-side view; the quality report is asked
// for. After the job: the report link of the finished job serves HTML, and
// the terminal shows the server's log line for a level change.
async function jobsuiBeforeStart(page) {
  const v = +(await page.getAttribute('#preview-result', 'data-version'));
  await page.selectOption('#preview-mode', 'faces');
  await page.waitForFunction((n) => {
    const r = document.querySelector('#preview-result');
    return +r.dataset.version > n && r.complete && r.naturalWidth > 0;
  }, v);
  const [w, h] = await page.$eval('#preview-result', (img) => [img.naturalWidth, img.naturalHeight]);
  check(w > 0 && w % 2 === 0 && h % (w / 2) === 0, `the face-by-face preview is ${w}x${h}, not rows of crop pairs`);
  say(`face-by-face preview ${w}x${h}`);
  const v2 = +(await page.getAttribute('#preview-result', 'data-version'));
  await page.selectOption('#preview-mode', 'side');
  await page.waitForFunction((n) => +document.querySelector('#preview-result').dataset.version > n, v2);
  await page.check('#report');
}

async function jobsuiAfterJob(page) {
  await page.waitForSelector('#recent-jobs a.report', { timeout: 10000 });
  const href = await page.getAttribute('#recent-jobs a.report', 'href');
  const report = await page.evaluate(async (u) => { const r = await fetch(u); return [r.status, r.headers.get('Content-Type'), (await r.text()).slice(0, 400)]; }, href);
  check(report[0] === 200 && report[1].startsWith('text/html') && report[2].includes('<html'), `report ${href}: ${report[0]} ${report[1]}`);
  say(`report link ${href} serves the quality report`);
  await page.waitForSelector('body[data-jobsui="1"]');
  await page.selectOption('#log-level', 'info');
  await page.waitForFunction(() => [...document.querySelectorAll('#terminal-lines .log')].some((l) => l.textContent.includes('log level info')), null, { timeout: 5000 });
  say(`terminal shows ${await page.$$eval('#terminal-lines .log', (l) => l.length)} server log lines`);
}
// ---- end jobsui

const browser = await chromium.launch({
  executablePath: process.env.FACEFUSE_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let failed = null;
const page = await (await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 1000 } })).newPage();
const problems = [];
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('favicon')) problems.push(`console: ${m.text()}`); });
try {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]');
  await page.waitForSelector('[data-option="--face-swapper-weight"] input[type=range]');
  say('page ready, controls generated from /api/options');

  await page.setInputFiles('#sources-input', source);
  await page.waitForSelector('#sources-list img');
  await page.setInputFiles('#target-input', target);
  await page.waitForFunction(() => {
    const r = document.querySelector('#preview-result'), o = document.querySelector('#preview-original');
    return +r.dataset.version >= 1 && r.complete && r.naturalWidth > 0 && o.complete && o.naturalWidth > 0;
  });
  const diff = await page.evaluate(previewDifference);
  check(diff > 1, `the preview does not differ from the frame (mean difference ${diff})`);
  say(`preview shown, differs from the frame by ${diff.toFixed(2)} on average`);

  const before = +(await page.getAttribute('#preview-result', 'data-version'));
  await page.$eval('[data-option="--face-swapper-weight"] input[type=range]', (input) => {
    input.value = '0.8';
    input.dispatchEvent(new Event('input'));
    input.dispatchEvent(new Event('change'));
  });
  await page.waitForFunction((v) => +document.querySelector('#preview-result').dataset.version > v, before);
  say('changing an option updated the preview without reloading');

  await page.waitForSelector('#gallery .face img');
  await page.click('#gallery .face >> nth=0');
  await page.waitForSelector('#gallery .face.selected');
  const reference = await page.textContent('#reference-info');
  check(reference.includes('face 0 of frame 0'), `reference face not chosen: "${reference}"`);
  say(reference);

  // The job's states as the page shows them: an image target is one frame,
  // so its progress goes from the queued/running job at 0 % to 100 %.
  await jobsuiBeforeStart(page);
  await page.evaluate(() => {
    window.__progress = [];
    const text = document.querySelector('#progress-text');
    new MutationObserver(() => window.__progress.push([text.dataset.status, document.querySelector('#progress').value]))
      .observe(text, { childList: true, characterData: true, subtree: true });
  });
  await page.click('#start');
  await page.waitForFunction(() => document.querySelector('#progress-text').dataset.status === 'completed', null, { timeout: 60000 });
  const seen = await page.evaluate(() => window.__progress);
  const text = await page.textContent('#progress-text');
  check(seen.length >= 2 && ['queued', 'running'].includes(seen[0][0]), `the job was not shown before it completed (${seen})`);
  check(text.includes('100 %'), `progress ended at "${text}"`);
  say(`progress ${seen.map(([s, p]) => `${s} ${Math.round(p * 100)} %`).join(' → ')}: ${text}`);

  await page.waitForSelector('#result:not([hidden]) #result-media img');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const file = path.join(outDir, `downloaded-${download.suggestedFilename()}`);
  await download.saveAs(file);
  console.log(`DOWNLOADED ${file}`);
  await jobsuiAfterJob(page);
  await page.screenshot({ path: path.join(outDir, 'finished-page.png'), fullPage: true });
  say(`screenshot ${path.join(outDir, 'finished-page.png')}`);
  check(problems.length === 0, problems.join('; '));
} catch (err) {
  failed = err;
  await page.screenshot({ path: path.join(outDir, 'failed-page.png'), fullPage: true }).catch(() => {});
}
await browser.close();
if (failed) {
  console.error(`e2e: FAILED: ${failed.message}`);
  process.exit(1);
}
