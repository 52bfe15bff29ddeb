// The canvas on a knee: the quick note folded to one button at the foot of the screen, and
// the field being typed into kept clear of the on-screen keyboard and of that button. Only
// layout and focus: saving is canvas.js's.

const form = document.getElementById("canvas-form");
const quick = document.getElementById("quick-note");
const scratch = document.getElementById("scratch");

// The page scrolls fields into view above the quick-note bar, whatever its height (open, it
// is taller): html's scroll-padding-bottom reads this.
function measureBar() {
  const height = quick ? quick.getBoundingClientRect().height : 0;
  document.documentElement.style.setProperty("--rhc-quick-note-height", `${Math.ceil(height)}px`);
}

if (quick) {
  measureBar();
  if (window.ResizeObserver) new ResizeObserver(measureBar).observe(quick);
  // Opened by a tap: straight into the box, ready to type. Not when opened by the page.
  let tapped = false;
  quick.querySelector("summary").addEventListener("click", () => { tapped = !quick.open; });
  quick.addEventListener("toggle", () => {
    if (quick.open && tapped && scratch) scratch.focus();
    tapped = false;
  });
  // Back from "Add note": keep the box open for the next one.
  if (location.hash === "#quick-note") quick.open = true;
}

// Room left for the page: above the on-screen keyboard (the visual viewport) and, for a field
// outside the quick note, above its bar.
function keepInView(el) {
  const view = window.visualViewport;
  const top = view ? view.offsetTop : 0;
  let bottom = view ? view.offsetTop + view.height : window.innerHeight;
  if (quick && !quick.contains(el)) bottom -= quick.getBoundingClientRect().height;
  const box = el.getBoundingClientRect();
  const margin = 16;
  if (box.top >= top + margin && box.bottom <= bottom - margin) return;
  // The field's top a third of the way down the room left, so its label shows too.
  const room = Math.max(bottom - top, 0);
  window.scrollBy({ top: box.top - (top + Math.min(room / 3, Math.max(room - box.height, 0))) });
}

const typing = (el) => el && el.matches && el.matches("textarea, input:not([type=hidden]), select");

if (form) {
  // After the keyboard has opened (it resizes the visual viewport, not the window).
  form.addEventListener("focusin", (event) => {
    if (typing(event.target)) setTimeout(() => keepInView(event.target), 300);
  });
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", () => {
      if (typing(document.activeElement)) keepInView(document.activeElement);
    });
  }
}
