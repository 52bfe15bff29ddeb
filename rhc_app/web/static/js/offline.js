// Working without signal (issue 10). A save that cannot be sent is queued on this tablet in
// IndexedDB, sealed to the organisation's public key: a fresh AES-GCM key per item, wrapped
// under a key agreed (ECDH P-256, HKDF) with a one-use key pair that is thrown away. The
// tablet can add to its queue but never read it back; only the server can open it. When the
// signal returns, the queue is sent in order through the same compare-and-swap save, and an
// item leaves the tablet only once the server has acknowledged it.
const subtle = window.crypto && window.crypto.subtle;
const DB_NAME = "rhc-offline";
const INFO = new TextEncoder().encode("rhc offline queue v1");
const NO_SIGNAL = "No signal. What you type is kept on this tablet, locked, and sent when you are back online.";
const conversationInUrl = (location.pathname.match(/^\/conversations\/([0-9a-f]{32})(\/|$)/) || [])[1];

let queued = 0; // items of this tablet's queue, kept current for the sign-out warning
let sending = null;

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      req.result.createObjectStore("meta", { keyPath: "name" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// One transaction; `work` gets the stores and may return a request whose result is wanted.
async function withStores(mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(["queue", "meta"], mode);
    let result;
    const req = work(tx.objectStore("queue"), tx.objectStore("meta"));
    if (req) req.onsuccess = () => { result = req.result; };
    tx.oncomplete = () => { db.close(); resolve(result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  });
}

const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

function say(text, link) {
  const el = document.getElementById("save-status") || document.getElementById("offline-status");
  if (!el) return;
  el.textContent = text;
  if (link) { // built from elements: nothing from the page becomes markup
    const a = document.createElement("a");
    a.className = "govuk-link";
    a.href = link.href;
    a.textContent = link.text;
    el.append(" ", a);
  }
}

function ukTime(date) {
  return date.toLocaleTimeString("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit" });
}

async function seal(spki, conv, item, payload) {
  const server = await subtle.importKey("spki", spki, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const mine = await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const shared = await subtle.deriveBits({ name: "ECDH", public: server }, mine.privateKey, 256);
  const hkdf = await subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  const kek = await subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: INFO },
    hkdf, { name: "AES-KW", length: 256 }, false, ["wrapKey"]);
  const key = await subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  const iv = window.crypto.getRandomValues(new Uint8Array(12));
  const additionalData = new TextEncoder().encode(`rhc-offline|${conv}|${item}`);
  const data = await subtle.encrypt({ name: "AES-GCM", iv, additionalData }, key,
    new TextEncoder().encode(JSON.stringify(payload)));
  return { tabletKey: await subtle.exportKey("raw", mine.publicKey),
           wrapped: await subtle.wrapKey("raw", key, kek, "AES-KW"), iv, data };
}

// Queue one item; false when this tablet has no key to seal with (never signed in online).
async function add(conv, base, payload) {
  // `kind` is plain (a code): only copies of the canvas build on each other's versions.
  if (!subtle) return false;
  const meta = await withStores("readonly", (q, m) => m.get("key"));
  if (!meta) return false;
  const id = window.crypto.randomUUID();
  const sealed = await seal(meta.spki, conv, id, payload);
  await withStores("readwrite", (q) => q.add({ id, conv, kind: payload.kind, base: Number(base), user: meta.user, ...sealed }));
  await count();
  say(NO_SIGNAL);
  return true;
}

// canvas.js calls this when a save of the canvas form cannot be sent.
function queueForm(form) {
  const fields = [];
  for (const [name, value] of new FormData(form)) {
    if (typeof value === "string" && !["csrf_token", "base_version", "action"].includes(name)) {
      fields.push([name, value]);
    }
  }
  return add(conversationInUrl, form.elements["base_version"].value, { kind: "canvas", fields })
    .catch(() => false);
}

async function count() {
  queued = await withStores("readonly", (q) => q.count());
  return queued;
}

async function state() {
  try {
    const resp = await fetch("/offline/state", {
      credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" } });
    if (resp.ok) return await resp.json();
    return { signedOut: true };
  } catch (e) {
    return null; // still no signal
  }
}

function sendOne(item, me) {
  const body = new FormData();
  body.set("csrf_token", me.csrf);
  body.set("item", item.id);
  body.set("user", item.user);
  body.set("base_version", String(item.base));
  body.set("tablet_key", b64(item.tabletKey));
  body.set("wrapped_key", b64(item.wrapped));
  body.set("iv", b64(item.iv));
  body.set("data", b64(item.data));
  return fetch(`/conversations/${item.conv}/queued`, {
    method: "POST", body, credentials: "same-origin", redirect: "manual",
    headers: { "X-Requested-With": "fetch", "Accept": "application/json" } });
}

// Acknowledged: remove it, and let the later copies of the same page build on its version.
async function acknowledged(item, version) {
  await withStores("readwrite", (q) => {
    q.delete(item.seq);
    q.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      const later = cursor.value;
      if (later.seq > item.seq && later.conv === item.conv && later.base === item.base &&
          item.kind === "canvas" && later.kind === "canvas" && version) {
        cursor.update({ ...later, base: version });
      }
      cursor.continue();
    };
  });
  const form = document.getElementById("canvas-form");
  if (form && item.kind === "canvas" && item.conv === conversationInUrl && version &&
      String(form.elements["base_version"].value) === String(item.base)) {
    form.elements["base_version"].value = version;
  }
}

function signedOut() {
  say("You have been signed out. What you typed is kept on this tablet, locked.",
      { href: "/sign-in?next=" + encodeURIComponent(location.pathname), text: "Sign in again to send it" });
}

async function sendQueue() {
  const me = await state();
  if (!me) return;
  if (me.signedOut) {
    if (await count()) signedOut();
    return;
  }
  if (me.key) {
    await withStores("readwrite", (q, m) => m.put({ name: "key", spki: unb64(me.key), user: me.user }));
  }
  const items = await withStores("readonly", (q) => q.getAll());
  const sent = { saved: [], kept: [] };
  for (const item of items) {
    if (item.user !== me.user) continue; // another worker's: sent when they sign in
    let resp;
    try { resp = await sendOne(item, me); } catch (e) { break; }
    if (resp.status === 401 || resp.type === "opaqueredirect") { signedOut(); break; }
    if (!resp.ok) continue; // refused (read only, cannot be opened): kept, the rest go on
    const answer = await resp.json();
    // Kept as a draft (a conflict): the later copies keep their base and meet it too.
    const version = answer.status === "saved" ? answer.version : 0;
    await acknowledged(item, version);
    for (const later of items) { // as acknowledged() did to the stored ones
      if (later.seq > item.seq && later.conv === item.conv && later.base === item.base &&
          item.kind === "canvas" && later.kind === "canvas" && version) {
        later.base = version;
      }
    }
    sent[answer.status === "kept" ? "kept" : "saved"].push({ conv: item.conv, url: answer.url });
  }
  await count();
  if (sent.saved.length || sent.kept.length) {
    say("Sent at " + ukTime(new Date()));
    window.dispatchEvent(new CustomEvent("rhc:offline-sent", { detail: { ...sent, here: conversationInUrl } }));
  }
}

function send() {
  if (!sending) sending = sendQueue().catch(() => {}).finally(() => { sending = null; });
  return sending;
}

// -- the offline page: a quick note for the conversation whose page could not be opened ----
function offlinePage() {
  const box = document.getElementById("offline-note");
  const form = document.getElementById("offline-note-form");
  if (!box || !form || !conversationInUrl) return;
  box.hidden = false;
  const text = document.getElementById("offline-note-text");
  const group = document.getElementById("offline-note-group");
  const error = document.getElementById("offline-note-text-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const note = text.value.trim();
    group.classList.toggle("govuk-form-group--error", !note);
    text.classList.toggle("govuk-textarea--error", !note);
    error.hidden = Boolean(note);
    text.setAttribute("aria-describedby", note ? "offline-note-hint" : "offline-note-hint offline-note-text-error");
    if (!note) { text.focus(); return; }
    // Not sealed against a version: a note is added to the record as it is when it arrives.
    if (await add(conversationInUrl, 1, { kind: "note", text: note, area: "" }).catch(() => false)) {
      text.value = "";
      say("Note kept on this tablet, locked. It is sent when you are back online.");
      if (navigator.onLine) send();
    } else {
      say("This note cannot be kept: this tablet has not been online since signing in.");
    }
  });
}

// Signing out with items not yet sent: say so first (they stay, sent at the next sign-in).
window.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.action || !form.action.endsWith("/sign-out") || !queued || form.dataset.warned) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  const message = "Some of what you typed has not been sent yet. It stays on this tablet, " +
    "locked, and is sent when you next sign in. Sign out anyway?";
  if (window.confirm(message)) {
    form.dataset.warned = "1";
    if (form.requestSubmit) form.requestSubmit(event.submitter || undefined); else form.submit();
  }
}, true);

window.rhcOffline = { queueForm, send, count };
window.addEventListener("online", send);
offlinePage();
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
count().then(send).catch(() => {});
