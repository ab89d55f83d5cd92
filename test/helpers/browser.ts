/**
 * Browser tests: playwright-core driving Debian's chromium (installed by scripts/ensure-test-deps.sh),
 * with the flags this closed-network machine needs and a fresh profile per launch. Screenshots go
 * to test-artifacts/ (gitignored); console errors of the page are collected so tests can assert
 * there were none.
 */
import fs from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { PROJECT_ROOT } from "./server-process.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = path.join(PROJECT_ROOT, "test-artifacts");

export const LAPTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

export interface TestBrowser {
  browser: Browser;
  /** A new page at `viewport`; its console errors and failed requests land in `errors`. */
  page(viewport?: { width: number; height: number }): Promise<Page & { errors: string[] }>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run "bash scripts/ensure-test-deps.sh" (it installs Debian's chromium)`,
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // no --user-data-dir: playwright gives every launch a fresh temporary profile and removes it
    ],
  });
  return {
    browser,
    async page(viewport = LAPTOP) {
      const context = await browser.newContext({ viewport });
      const page = Object.assign(await context.newPage(), { errors: [] as string[] });
      page.on("console", (msg) => {
        if (msg.type() === "error") page.errors.push(msg.text());
      });
      page.on("pageerror", (err) => page.errors.push(err.message));
      return page;
    },
    async close() {
      await browser.close();
    },
  };
}

/** Saves a full-page screenshot as test-artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** How far the page scrolls sideways (0 when nothing overflows the viewport). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
