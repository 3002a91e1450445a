// Signs in to Pinne with the municipality's account in a real Chromium: Pinne on 127.0.0.1,
// the OpenID provider (tests/oidc/provider.mjs) on localhost, another site, so the cookies cross
// a real cross-site redirect. Then an unknown user is refused, and signing out ends both the
// session in Pinne and the provider's. Prints one JSON line with what was seen.
//
// node oidc_login.mjs BASE_URL SCREENSHOT_DIR
import { chromium } from 'playwright-core';

const [base, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const seen = {};
const signIn = async (page, user, mfa) => {
  await page.goto(`${base}/login`);
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Logga in med kommunens konto")')]);
  seen.providerHost = new URL(page.url()).hostname;
  await page.selectOption('#user', user);
  if (mfa) await page.check('input[value="pwd,mfa"]');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Logga in")')]);
  // Pinne's page goes on to the start page by itself.
  await page.waitForURL((u) => u.toString().startsWith(base) && !u.pathname.startsWith('/login/oidc'), { timeout: 10_000 });
  await page.waitForLoadState('load');
};
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.screenshot({ path: `${shots}/oidc-login.png`, fullPage: true });
  seen.button = await page.locator('a:has-text("Logga in med kommunens konto")').count();

  await signIn(page, 'chef', true);
  seen.afterSignIn = new URL(page.url()).pathname;
  seen.header = (await page.locator('header.site').textContent()) || '';
  const users = await page.goto(`${base}/anvandare`);
  seen.usersStatus = users.status();
  seen.usersPath = new URL(page.url()).pathname;
  await page.screenshot({ path: `${shots}/oidc-signed-in.png`, fullPage: true });
  await page.goto(`${base}/konto`);
  seen.account = (await page.locator('main').textContent()) || '';
  await page.screenshot({ path: `${shots}/oidc-account.png`, fullPage: true });

  // Signing out: Pinne, then the provider, then back to Pinne's login page.
  await page.goto(`${base}/`);
  await page.click('header.site button:has-text("Logga ut")');
  await page.waitForURL((u) => u.toString().startsWith(`${base}/login`) && u.hostname === new URL(base).hostname, { timeout: 10_000 });
  seen.afterLogout = new URL(page.url()).pathname;
  await page.goto(`${base}/anvandare`);
  seen.afterLogoutUsers = new URL(page.url()).pathname;

  // Someone the municipality knows but whose groups give no role in Pinne.
  await page.goto(`${base}/login`);
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("Logga in med kommunens konto")')]);
  if (new URL(page.url()).hostname === 'localhost' && (await page.locator('#user').count()) === 0) {
    // Still signed in at the provider would skip its page; it must not be.
    seen.providerStillSignedIn = true;
  } else {
    await page.selectOption('#user', 'okand');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Logga in")')]);
  }
  seen.refusedPath = new URL(page.url()).pathname;
  seen.refusedText = (await page.locator('.error-summary').textContent().catch(() => '')) || '';
  await page.screenshot({ path: `${shots}/oidc-refused.png`, fullPage: true });
} catch (e) {
  seen.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
