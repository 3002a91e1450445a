// Uploads a large tally file in a real Chromium, as a huvudman would, and follows the import:
// the progress page (a <progress> bar that reloads itself, no JavaScript), the preview, storing
// (the bar again) and the result. Prints one JSON line with what was seen.
//
// node import_progress.mjs BASE_URL USER PASSWORD FILE SCREENSHOT_DIR
import { chromium } from 'playwright-core';

const [base, user, password, file, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const seen = { readingProgress: false, storingProgress: false, preview: false, stored: false, progressValues: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/login`);
  await page.fill('input[name="name"]', user);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  await page.goto(`${base}/import`);
  await page.setInputFiles('#fil', file);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Kontrollera filen")')]);

  // Follow the self-reloading page until `done` holds. The page reloads itself every second, so
  // a read can meet a navigation: it is then read again.
  const follow = async (phase, done) => {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      let state;
      try {
        state = await page.evaluate(() => {
          const bar = document.querySelector('progress#progress');
          return {
            bar: bar ? `${bar.getAttribute('value')}/${bar.getAttribute('max')}` : null,
            text: document.querySelector('main')?.textContent || '',
          };
        });
      } catch (e) {
        await page.waitForTimeout(100);
        continue;
      }
      if (state.bar) {
        seen[phase] = true;
        seen.progressValues.push(`${phase}:${state.bar}`);
        // One screenshot per phase, of the bar part way.
        const [value, max] = state.bar.split('/').map(Number);
        if (value > 0 && value < max && !seen[`${phase}Moving`]) {
          seen[`${phase}Moving`] = true;
          await page.screenshot({ path: `${shots}/import-${phase}.png` }).catch(() => {});
        }
      }
      if (done(state.text)) return state.text;
      await page.waitForTimeout(150);
    }
    throw new Error(`timed out in ${phase}`);
  };
  const previewText = await follow('readingProgress', (t) => t.includes('Förhandsgranska importen') || t.includes('inget har sparats') || t.includes('kan inte importeras'));
  seen.preview = previewText.includes('Förhandsgranska importen');
  if (!seen.preview) throw new Error(`no preview: ${previewText.slice(0, 500)}`);
  await page.screenshot({ path: `${shots}/import-preview.png`, fullPage: false });
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Spara")')]);
  const storedText = await follow('storingProgress', (t) => t.includes('Importen är sparad') || t.includes('kan inte importeras'));
  seen.stored = storedText.includes('Importen är sparad');
  seen.storedText = storedText.replace(/\s+/g, ' ').slice(0, 300);
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
