// Autosave for the conversation canvas. The page works without this (the Save button posts
// the same form); with it, what the worker types is saved a moment after they stop typing.
import { setToNow } from "./now.js";

const form = document.getElementById("canvas-form");
const status = document.getElementById("save-status");
const url = form && form.dataset.autosaveUrl;

// Sent here by a conflict: take the worker (and a screen reader) straight to the explanation.
const conflict = document.getElementById("conflict");
if (conflict) {
  conflict.setAttribute("tabindex", "-1");
  conflict.focus();
}

// Sent here by "Add a person" or "Add a place": start typing in the new row, and drop the
// ?add= so a reload shows the saved page, not one more empty row.
const params = new URLSearchParams(location.search);
if (params.has("add")) {
  params.delete("add");
  const rest = params.toString();
  history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  const row = location.hash && document.getElementById(location.hash.slice(1));
  const first = row && row.querySelector("input, textarea");
  // After the browser has gone to the row's anchor, which would otherwise take focus back.
  if (first) window.addEventListener("load", () => setTimeout(() => first.focus(), 0));
}

if (form && url) {
  let timer = null;
  let inFlight = null; // the promise of the save being sent, if any
  let pending = false;
  let stopped = false; // signed out, sent to the conflict view, or the form is being posted
  let edits = 0; // bumped on every change, to know whether a reply is about the latest text
  let held = false; // a button was pressed while a save was in flight: post after it
  let heldButton = null;
  let savedEdits = 0; // the edit count the server last acknowledged (saved, or kept)
  let leaving = false; // the page is going away with everything carried or kept
  let sentOnHide = false;

  let queuedEdits = 0; // the edit count last kept on this tablet while there was no signal
  const unsaved = () => edits !== savedEdits;
  let noSignal = false; // the last save could not be sent and was queued on the tablet

  const say = (text) => { if (status) status.textContent = text; };

  function showSignedOut(kept) {
    say(kept
      ? "You have been signed out. What you typed has been kept: sign in again to carry on."
      : "You have been signed out. Sign in again to carry on.");
    // Built from elements, not HTML strings: nothing typed ever becomes markup.
    const banner = document.createElement("div");
    banner.className = "govuk-error-summary";
    banner.setAttribute("role", "alert");
    const title = document.createElement("h2");
    title.className = "govuk-error-summary__title";
    title.textContent = "You have been signed out";
    const body = document.createElement("div");
    body.className = "govuk-error-summary__body";
    const p = document.createElement("p");
    p.className = "govuk-body";
    p.append(kept ? "What you typed has been kept. " : "");
    const link = document.createElement("a");
    link.className = "govuk-link";
    link.href = "/sign-in?next=" + encodeURIComponent(location.pathname);
    link.textContent = "Sign in again";
    p.append(link, " to carry on.");
    body.append(p);
    banner.append(title, body);
    form.prepend(banner);
  }

  async function post() {
    const body = new FormData(form);
    body.set("action", "autosave");
    return fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
      redirect: "manual",
    });
  }

  async function send() {
    const sentAt = edits;
    pending = false;
    let resp;
    try {
      resp = await post();
    } catch (e) {
      // No signal: kept on this tablet, locked (offline.js), and sent from there when back.
      if (window.rhcOffline && await window.rhcOffline.queueForm(form)) {
        queuedEdits = sentAt;
        noSignal = true;
        return;
      }
      say("Not saved: no connection. Keep this page open; it will try again.");
      pending = true;
      return;
    }
    if (resp.type === "opaqueredirect") {
      stopped = true;
      showSignedOut(false);
      return;
    }
    let data = null;
    if ((resp.headers.get("Content-Type") || "").includes("application/json")) {
      data = await resp.json();
    }
    if (resp.status === 401 || (data && data.status === "signed_out")) {
      stopped = true;
      if (data && data.kept) savedEdits = sentAt; // kept for after signing in again
      showSignedOut(Boolean(data && data.kept));
    } else if (data === null) {
      say("Not saved. Use the Save button below.");
    } else if (data.status === "saved") {
      form.elements["base_version"].value = data.version;
      savedEdits = sentAt;
      noSignal = false;
      if (edits !== sentAt) pending = true; // typed while this was being sent
      say("Saved at " + new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }));
    } else if (data.status === "conflict") {
      stopped = true;
      say("Someone else saved this conversation. Your text is kept: opening both versions…");
      // The server keeps what was sent as this user's draft: send once more if the worker
      // typed since, so the draft has every word, then show both versions.
      if (edits !== sentAt) {
        try { await post(); } catch (e) { /* the draft from the first send stands */ }
      }
      // Not data.url + "#conflict": from this same page that would only scroll to an anchor
      // that is not there, never loading the view with both versions.
      leaving = true; // the server holds this user's text as their draft
      window.location.assign(data.url);
    } else if (data.status === "invalid") {
      say("Not saved yet: " + Object.values(data.problems).join(" "));
    } else {
      stopped = true;
      say(data.message || "Not saved");
    }
  }

  async function save() {
    if (stopped) return;
    if (inFlight) { pending = true; return; }
    inFlight = send();
    try {
      await inFlight;
    } finally {
      inFlight = null;
      if (held) {
        held = false;
        // Post with the base version the save just returned, unless its answer ended the
        // page (signed out, or sent to the conflict view).
        if (stopped === "submitting") {
          if (form.requestSubmit) form.requestSubmit(heldButton);
          else if (heldButton) heldButton.click();
          else form.submit();
        }
      } else if (pending && !stopped) {
        schedule(3000);
      }
    }
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  // "When it was held" starts as the moment the worker starts writing.
  const heldAt = form.elements["detail-held_at"];
  function defaultHeldAt(event) {
    if (heldAt && !heldAt.value && !heldAt.readOnly && event.target !== heldAt &&
        event.target.matches("textarea, input[type=text]")) {
      setToNow(heldAt);
    }
  }

  function edited(delay) {
    edits += 1;
    if (stopped) return; // keep the signed-out or conflict message in view
    say("Typing…");
    schedule(delay);
  }

  form.addEventListener("input", (event) => { defaultHeldAt(event); edited(1500); });
  form.addEventListener("change", () => edited(500));

  // A button (Save, Add a person, Add note…) posts the whole form. Cancel the autosave that
  // is due; if one is on its way, wait for its answer first, or the post would carry the old
  // base version and be refused as a conflict with our own autosave.
  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    if (inFlight) {
      event.preventDefault();
      held = true;
      heldButton = event.submitter || null;
      stopped = "submitting";
      say("Saving…");
      return;
    }
    stopped = "submitting";
    leaving = true; // the post carries everything on the page
  });
  // Back from the browser's cache after a post: autosave again. After a save sent as the
  // page was hidden, this page's version is old: load the saved one.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    if (sentOnHide) { location.reload(); return; }
    stopped = false;
    leaving = false;
  });

  // -- leaving the page never loses the last words -------------------------------------
  // Wait for the save on its way, then send what is still unsaved.
  async function flush() {
    clearTimeout(timer);
    while (inFlight) await inFlight;
    if (unsaved() && !stopped) await save();
    clearTimeout(timer);
  }

  // A link (Back, the menu, the header): save first, then go. If the save fails, going
  // there asks first (beforeunload below).
  document.addEventListener("click", async (event) => {
    const link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey ||
        event.ctrlKey || event.shiftKey || event.altKey || link.target ||
        link.getAttribute("href").startsWith("#") || !(unsaved() || inFlight) || stopped) {
      return;
    }
    event.preventDefault();
    say("Saving…");
    await flush();
    window.location.assign(link.href);
  });

  // Another form on the page (Sign out): save first, then send it. Discarding this user's
  // version is meant to lose it.
  const flushed = new WeakSet();
  document.addEventListener("submit", async (event) => {
    const other = event.target;
    if (other === form) return;
    if (other.action.endsWith("/discard-draft")) { leaving = true; return; }
    if (flushed.has(other)) return; // sent after its save; still unsaved, it asks first
    if (!(unsaved() || inFlight) || stopped) return;
    event.preventDefault();
    const button = event.submitter || null;
    await flush();
    flushed.add(other);
    if (other.requestSubmit) other.requestSubmit(button); else other.submit();
  });

  // The tablet's queue was sent (offline.js): saved, or kept beside the other version.
  window.addEventListener("rhc:offline-sent", ({ detail }) => {
    const here = (list) => list.find((sent) => url.includes(sent.conv));
    if (stopped || !(here(detail.kept) || here(detail.saved))) return;
    if (here(detail.kept) || edits === 0) { // show both versions, or what the queue brought
      stopped = true;
      leaving = true;
      window.location.assign((here(detail.kept) || here(detail.saved)).url);
      return;
    }
    savedEdits = Math.max(savedEdits, queuedEdits);
    noSignal = false;
    if (unsaved()) schedule(500);
  });

  // Closing the tab or going Back with words unsaved: ask first.
  window.addEventListener("beforeunload", (event) => {
    if (leaving || !unsaved()) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers need it set to ask
  });

  // The page is going (the tab closed, the app switched away): send what is unsaved in a
  // request that outlives the page. Not while a save is on its way: this one would carry
  // the old version and meet it as a conflict.
  window.addEventListener("pagehide", () => {
    // Not with no signal: the queue holds the words, and this request, sent as the page
    // goes, could arrive before the queue's copies built on the version before it.
    if (leaving || stopped || inFlight || !unsaved() || noSignal) return;
    const body = new FormData(form);
    body.set("action", "autosave");
    // Refused when over 64 KB (a keepalive request's limit): the prompt above asked first.
    fetch(url, { method: "POST", body, credentials: "same-origin", keepalive: true,
                 headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
      .catch(() => {});
    sentOnHide = true;
  });
  // An iPad switching to another app may never come back to this page: save now.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && unsaved() && !stopped && !noSignal) save();
  });
}
