// Times the publication version of reports over spans of years as a reader gets them.
// Run a release server with demo data first:
//   cargo run --release -- --data-dir /tmp/span serve --demo --dev --listen 127.0.0.1:8092
// then (after `cd tests/browser && npm ci`):
//   node scripts/span_timing.mjs
// It publishes the spans as the förbundschef (saving their goal forms, empty), then asks for each
// twice as the demo reader: the first request protects it, the second comes from the cache.
import { chromium } from '../tests/browser/node_modules/playwright-core/index.mjs';

const base = process.env.PINNE_URL || 'http://127.0.0.1:8092';
const spans = [['coachingteamet', '2022-2026'], ['coachingteamet', '2024-2026'], ['mottagningsteamet', '2022-2026']];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
async function signIn(name, password) {
  const page = await browser.newPage();
  page.setDefaultTimeout(600000);
  await page.goto(`${base}/login`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  return page;
}
const chef = await signIn('forbundschef', 'demo-forbundschef-pinne');
for (const [insats, span] of spans) {
  await chef.goto(`${base}/mal/${insats}/${span}`);
  await chef.click('button.primary[type=submit]');
  await chef.waitForLoadState();
}
const reader = await signIn('lasare', 'demo-lasare-pinne');
for (const [insats, span] of spans) {
  for (const run of ['first', 'cached']) {
    const t0 = Date.now();
    const res = await reader.goto(`${base}/rapport/${insats}/period/${span}`);
    const ms = Date.now() - t0;
    const cells = await reader.locator('td').count();
    const hidden = await reader.locator('td', { hasText: /^\.\.$/ }).count();
    console.log(`| ${insats} ${span} | ${run} | ${res.status()} | ${ms} ms | ${hidden} of ${cells} cells hidden |`);
  }
}
await browser.close();
