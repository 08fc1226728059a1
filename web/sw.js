// Hallwatch service worker: the app shell on the phone, so the desk starts with no network,
// and the outbox sent from here too (Background Sync where the browser has it, and whenever
// this worker starts). The server stamps VERSION with a fingerprint of web/static, the
// templates and this file (server/shell.py), so any change to the shell installs a new worker,
// which caches it afresh and deletes the old caches. The outbox lives in IndexedDB, which no update of
// this worker touches.
importScripts("/static/js/queue.js");

const VERSION = "3";
const PREFIX = "hallwatch-shell-";
const CACHE = `${PREFIX}${VERSION}`;
const ASSETS = [
  "/static/app.css",
  "/static/vendor/htmx-2.0.11.min.js",
  "/static/js/queue.js",
  "/static/js/app.js",
  "/static/js/rules.js",
  "/static/js/desk.js",
  "/static/js/today.js",
  "/static/js/prereg.js",
  "/static/js/disinfection.js",
  "/static/js/declaration.js",
  "/static/icons/icon.svg",
  "/manifest.webmanifest",
];
// Pages kept for a start with no network. Neither carries personal data: /desk lists no
// entries (the phone draws them from IndexedDB). /desk answers only a logged-in desk user,
// so it is kept whenever it answers 200, never a redirect to the login.
const PAGES = ["/desk", "/enroll"];
// Pages whose answer carries the person's own data (history, status) are never kept: their
// shell, a page that names no one, answers for them with no network (the page's script
// fills it from IndexedDB). The shell is fetched again whenever the page itself answers.
const SHELLS = { "/me/declaration": "/me/declaration/shell" };
// Where a navigation with no network lands: its own page, or the desk for the start URL.
const FALLBACK_PATHS = /^\/($|desk(\/|$))/;
const NETWORK_WAIT_MS = 4000;

const keepable = (response) => response.ok && !response.redirected && response.type === "basic";

async function precachePage(cache, path) {
  try {
    const response = await fetch(path, { cache: "no-store" });
    if (keepable(response)) return await cache.put(path, response);
  } catch {
    // no network: carry over the copy the previous version kept
  }
  const kept = await caches.match(path, { ignoreVary: true });
  if (kept) await cache.put(path, kept);
}

// Not precachePage: a refresh that fails leaves the kept copy alone (putting a cached
// response back into its own cache can lose it).
async function refreshKept(path) {
  const response = await fetch(path, { cache: "no-store" }).catch(() => null);
  if (response && keepable(response)) await (await caches.open(CACHE)).put(path, response);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ASSETS);
      await Promise.all(PAGES.map((path) => precachePage(cache, path)));
      await Promise.all(Object.values(SHELLS).map((path) => precachePage(cache, path)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
  // A worker starting is a chance to send what is queued; activation does not wait for it.
  flushIfQueued();
});

async function flushIfQueued() {
  if (await self.hallwatchQueue.exists()) return self.hallwatchQueue.flush({ force: true });
}

self.addEventListener("sync", (event) => {
  if (event.tag !== self.hallwatchQueue.SYNC_TAG) return;
  // A rejected promise tells the browser to try again later.
  event.waitUntil(
    flushIfQueued().then((status) => {
      if (status?.reachable === false) throw new Error("no connection");
    }),
  );
});

// Network first, so a page is never older than it must be; the kept page when the network
// fails, errs or is too slow.
async function page(request, url) {
  const path = PAGES.includes(url.pathname) && !url.search ? url.pathname : null;
  const shell = SHELLS[url.pathname];
  const network = fetch(request).then(async (response) => {
    if (path && keepable(response)) {
      await (await caches.open(CACHE)).put(path, response.clone());
    }
    if (shell && keepable(response)) refreshKept(shell);
    return response;
  });
  const fallback =
    shell ??
    (PAGES.includes(url.pathname) ? url.pathname : FALLBACK_PATHS.test(url.pathname) && "/desk");
  const kept = fallback && (await caches.match(fallback, { ignoreVary: true }));
  if (!kept) return network;
  network.catch(() => {});
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS, null));
  const response = await Promise.race([network, slow]).catch(() => null);
  return response && response.status < 500 ? response : kept;
}

// Static assets: from the cache at once, refreshed in the background for the next load.
async function asset(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    })
    .catch(() => cached);
  return cached || fresh;
}

// A page loaded before this worker controlled it went past the fetch handler: the first page
// after a login, when the worker installed on the login page with no session. The page asks
// (app.js), and the worker keeps it, or its shell, now.
self.addEventListener("message", (event) => {
  const path = event.data?.keep;
  const kept = SHELLS[path] ?? (PAGES.includes(path) ? path : null);
  if (kept) event.waitUntil(refreshKept(kept));
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") event.respondWith(page(request, url));
  else if (ASSETS.includes(url.pathname)) event.respondWith(asset(request));
});
