// The example app in a real browser: Debian's Chromium driven by playwright-core against the
// production build, as a person would use it. Screenshots of each step go to build/example-e2e/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startApp, waitForMail } from './app.mjs';

const SHOTS = join(import.meta.dirname, '../../build/example-e2e');
const STEP_UP_SECONDS = 6; // long enough that a loaded machine finishes the step-up within it

let app;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  app = await startApp({ env: { STEP_UP_SECONDS: String(STEP_UP_SECONDS) } });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // As root there is no sandbox; the rest keep Chromium off the network this machine does not have.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

async function newPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  return { context, page, errors };
}

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

async function signIn(page, email, password, { remember = false } = {}) {
  await page.goto(`${app.base}/login`);
  await page.fill('#sign-in input[name=email]', email);
  await page.fill('#sign-in input[name=password]', password);
  if (remember) await page.check('#sign-in input[name=remember]');
  await page.click('#sign-in button[type=submit]');
  await page.waitForURL(`${app.base}/dashboard`);
}

test('register, choose the password on the page of the mailed link, sign in, see the dashboard, change the password through the step-up, sign out, be redirected', async () => {
  const { page, errors } = await newPage();
  const email = `ada.lovelace.${Date.now()}@example.com`;
  const first = 'analytical-engine-1843';
  const second = 'difference-engine-1822';

  await page.goto(`${app.base}/register`);
  await page.fill('#register input[name=email]', email);
  await page.click('#register button[type=submit]');
  await page.waitForSelector('#check-mail');
  await shot(page, '01-registered');

  // No account yet: the password is chosen on the page of the mailed link.
  const mail = await waitForMail(app.dataDir, email, /Create your account/);
  await page.goto(mail.links[0]);
  await page.fill('#create-account input[name=name]', 'Ada Lovelace');
  await page.fill('#create-account input[name=password]', first);
  await page.click('#create-account button[type=submit]');
  await page.waitForURL(/\/login\?.*notice=created/);
  await page.waitForSelector('.notice');
  await shot(page, '02-account-created');

  await signIn(page, email, first);
  const signedInAt = Date.now();
  assert.equal(await page.textContent('#dashboard-title'), 'Hello, Ada Lovelace');
  await page.fill('#add-note input[name=body]', 'Notes on the Analytical Engine');
  await page.click('#add-note button[type=submit]');
  await page.waitForSelector('#notes li');
  assert.equal(await page.textContent('#notes li'), 'Notes on the Analytical Engine');
  await shot(page, '03-dashboard');

  // Past the step-up window (STEP_UP_SECONDS), the change asks for the password again.
  await page.click('header a[href="/account"]');
  await page.waitForSelector('#change-password');
  const wait = signedInAt + (STEP_UP_SECONDS + 0.5) * 1000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  await page.fill('#change-password input[name=password]', second);
  await page.click('#change-password button[type=submit]');
  await page.waitForSelector('#step-up-prompt');
  await shot(page, '04-step-up-prompt');
  await page.fill('#step-up input[name=current]', first);
  await page.click('#step-up button[type=submit]');
  await page.waitForSelector('#password-changed');
  await shot(page, '05-password-changed');

  await page.click('#sign-out');
  await page.waitForURL(/\/login/);
  await page.goto(`${app.base}/dashboard`);
  await page.waitForURL(/\/login\?returnTo=%2Fdashboard/);
  await page.waitForSelector('#sign-in');
  await shot(page, '06-signed-out-redirected');

  // The old password is refused, the new one works, and the note is still there.
  await page.fill('#sign-in input[name=email]', email);
  await page.fill('#sign-in input[name=password]', first);
  await page.click('#sign-in button[type=submit]');
  assert.match(await page.textContent('#sign-in .error'), /Wrong e-mail address or password/);
  await page.fill('#sign-in input[name=password]', second);
  await page.click('#sign-in button[type=submit]');
  await page.waitForURL(`${app.base}/dashboard`);
  await page.waitForSelector('#notes li');
  assert.deepEqual(errors, []);
});

test('forgot password: the link from the mail, a new password, and the session signed in before is refused', async () => {
  const email = `grace.hopper.${Date.now()}@example.com`;
  const before = 'cobol-compiler-1959';
  const afterReset = 'harvard-mark-one-1944';
  await app.createUser(email, before, { name: 'Grace' });

  // A device signed in before the reset ("remember me": a persistent cookie).
  const old = await newPage();
  await signIn(old.page, email, before, { remember: true });
  const [oldCookie] = await old.context.cookies();
  assert.equal(oldCookie.name, '__Host-session');
  assert.ok(oldCookie.expires > Date.now() / 1000, 'remember me: a cookie with an expiry');
  assert.ok(oldCookie.secure && oldCookie.httpOnly && oldCookie.sameSite === 'Lax');

  const { page, errors } = await newPage();
  await page.goto(`${app.base}/login`);
  await page.click('text=Forgot your password?');
  await page.fill('#forgot input[name=email]', email);
  await page.click('#forgot button[type=submit]');
  await page.waitForSelector('#reset-sent');
  await shot(page, '07-reset-requested');

  const mail = await waitForMail(app.dataDir, email, /Reset your password/);
  await page.goto(mail.links[0]);
  await page.waitForSelector('#reset');
  await shot(page, '08-reset-form');
  await page.fill('#reset input[name=password]', afterReset);
  await page.click('#reset button[type=submit]');
  await page.waitForURL(/\/login\?.*notice=reset/);
  await page.waitForSelector('.notice');
  await shot(page, '09-reset-done');

  // The device signed in before the reset: its cookie is refused, by the server functions and
  // by the pages.
  const direct = await app.call('listNotes', { cookie: `${oldCookie.name}=${oldCookie.value}` });
  assert.equal(direct.status, 401, direct.text);
  await old.page.goto(`${app.base}/dashboard`);
  await old.page.waitForURL(/\/login\?returnTo=%2Fdashboard/);
  await shot(old.page, '10-old-session-refused');

  // The link is spent.
  await page.goto(mail.links[0]);
  await page.waitForSelector('#link-invalid');

  await signIn(page, email, afterReset);
  assert.equal(await page.textContent('#dashboard-title'), 'Hello, Grace');
  assert.deepEqual(errors, []);
  assert.deepEqual(old.errors, []);
});
