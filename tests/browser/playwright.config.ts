// Browser tests of the web UI: Debian's Chromium (no browser download) driven by Playwright
// against a real `dangol serve` with demo data, started by global-setup.ts on a free port.
import { defineConfig } from "@playwright/test";
import os from "node:os";
import path from "node:path";

const chromium = process.env.DANGOL_CHROMIUM ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  globalSetup: "./global-setup.ts",
  outputDir: process.env.DANGOL_BROWSER_OUT ?? path.join(os.tmpdir(), "dangol-browser-results"),
  // Two cores are shared with the server under test: one browser at a time keeps timings honest.
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    locale: "ko-KR",
    timezoneId: "Asia/Seoul",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "tablet", use: { viewport: { width: 1024, height: 768 }, hasTouch: true } },
    { name: "phone", use: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true } },
  ],
});
