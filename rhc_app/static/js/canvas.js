// Autosave for the conversation canvas. The page works without this (the Save button posts
// the same form); with it, what the worker types is saved a moment after they stop typing.
const form = document.getElementById("canvas-form");
const status = document.getElementById("save-status");
const url = form && form.dataset.autosaveUrl;

if (form && url) {
  let timer = null;
  let inFlight = false;
  let pending = false;
  let stopped = false;

  const say = (text) => { if (status) status.textContent = text; };

  async function save() {
    if (stopped) return;
    if (inFlight) { pending = true; return; }
    inFlight = true;
    pending = false;
    const body = new FormData(form);
    body.set("action", "autosave");
    try {
      const resp = await fetch(url, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
        redirect: "manual",
      });
      if (resp.type === "opaqueredirect" || resp.status === 401) {
        stopped = true;
        say("You have been signed out. What you typed has been kept: sign in again to carry on.");
        const banner = document.createElement("div");
        banner.className = "govuk-error-summary";
        banner.setAttribute("role", "alert");
        banner.innerHTML = '<h2 class="govuk-error-summary__title">You have been signed out</h2>' +
          '<div class="govuk-error-summary__body"><p class="govuk-body">What you typed has been kept. ' +
          '<a class="govuk-link" href="/sign-in?next=' + encodeURIComponent(location.pathname) +
          '">Sign in again</a> to carry on.</p></div>';
        form.prepend(banner);
        return;
      }
      const data = await resp.json();
      if (data.status === "saved") {
        form.elements["base_version"].value = data.version;
        say("Saved at " + new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }));
      } else if (data.status === "conflict") {
        stopped = true;
        say("Someone else saved this conversation. Your text is kept: reload to see both versions.");
        window.location.assign(data.url + "#conflict");
      } else if (data.status === "invalid") {
        say("Not saved yet: " + Object.values(data.problems).join(" "));
      } else {
        say(data.message || "Not saved");
      }
    } catch (e) {
      say("Not saved: no connection. Keep this page open; it will try again.");
      pending = true;
    } finally {
      inFlight = false;
      if (pending && !stopped) schedule(3000);
    }
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener("input", () => { say("Typing…"); schedule(1500); });
  form.addEventListener("change", () => schedule(500));

  // Keep the field being typed into above the on-screen keyboard.
  form.addEventListener("focusin", (event) => {
    const el = event.target;
    if (el.matches("textarea, input")) {
      setTimeout(() => el.scrollIntoView({ block: "center", behavior: "smooth" }), 300);
    }
  });
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", () => {
      const el = document.activeElement;
      if (el && el.matches("textarea, input")) el.scrollIntoView({ block: "center" });
    });
  }
}
