// How the web tests start Debian's chromium: headless, offline, as root in a container.
// (playwright-core gives every launch a new empty profile directory and removes it after.)

/** Chromium flags that work here: no sandbox (root), no GPU, no network chatter of its own. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
