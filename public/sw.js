/*
 * Parley's service worker: an offline page, nothing more.
 *
 * Why so little: Parley is live data behind a session. Caching pages or API answers would show one person's rooms
 * to the next person on a shared machine, serve stale messages as if current, and outlive a sign-out; sockets
 * cannot be cached at all. So this worker caches exactly one signed-out page (/offline, fetched without cookies) and
 * the static files it needs to look right, and uses them only when a page navigation fails at the network level.
 * Everything else (API, /socket.io, pages that load fine, any non-GET) goes straight to the network untouched.
 */
const CACHE = 'parley-offline-v1';
const OFFLINE_URL = '/offline';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // credentials: 'omit' — the cached copy must never hold a signed-in person's page.
      const response = await fetch(OFFLINE_URL, { credentials: 'omit', cache: 'reload' });
      if (!response.ok) throw new Error(`offline page: ${response.status}`);
      const html = await response.clone().text();
      // The page's own stylesheets (hashed, immutable build files) so it is styled when offline.
      const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]*>/g)]
        .map((tag) => /href="([^"]+)"/.exec(tag[0])?.[1])
        .filter((href) => href && href.startsWith('/_next/static/'));
      await cache.put(OFFLINE_URL, response);
      await cache.addAll([...new Set(styles), '/favicon.svg']);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate') {
    // The network answers every navigation; only when it cannot (offline, server down) does the cached page stand in.
    event.respondWith(
      fetch(request).catch(async () => (await caches.match(OFFLINE_URL, { cacheName: CACHE })) ?? Response.error()),
    );
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith('/_next/static/')) return;
  // The offline page's stylesheets: from the network when it answers, else from the cache (if we hold them).
  event.respondWith(
    fetch(request).catch(async () => (await caches.match(request, { cacheName: CACHE })) ?? Response.error()),
  );
});
