// The service worker (served at /sw.js, scope /): keeps the app's own files (/assets/) and the
// offline page, and shows that page when a page cannot be reached. Signed-in pages are never
// put in Cache Storage: they stay no-store, so nothing personal is kept on the tablet.
const CACHE = "rhc-v1";
const OFFLINE = "/offline";
const ASSETS = ["/assets/rhc.css", "/assets/govuk-frontend.min.js", "/assets/js/init.js",
                "/assets/js/now.js", "/assets/js/canvas.js", "/assets/js/canvas_layout.js",
                "/assets/js/offline.js",
                "/assets/images/favicon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(ASSETS);
    // Without cookies: the page is the same for everyone, and must not be a signed-in one.
    const page = await fetch(OFFLINE, { credentials: "omit", cache: "no-store" });
    if (page.ok) await cache.put(OFFLINE, page);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Straight to the network, never cached; without signal, the offline page instead.
    event.respondWith(fetch(request).catch(async () =>
      (await caches.match(OFFLINE)) || Response.error()));
  } else if (url.pathname.startsWith("/assets/")) {
    // The network first, so a new release is seen at once; the kept copy without signal.
    event.respondWith(fetch(request).then(async (response) => {
      if (response.ok) await (await caches.open(CACHE)).put(request, response.clone());
      return response;
    }).catch(async () => (await caches.match(request, { ignoreSearch: true })) || Response.error()));
  }
});
