// A "Now" button beside every date and time the worker types: one tap on a knee, rather
// than a date picker. Without script the field still takes a typed date and time.

// The UK wall clock as a datetime-local value ("2026-12-01T14:32"): the app's times are UK
// times whatever the tablet's own time zone is set to.
export function londonNow() {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date()).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

export function setToNow(input) {
  input.value = londonNow();
  // As if typed: the canvas autosaves it, GOV.UK components see it.
  input.dispatchEvent(new Event("input", { bubbles: true }));
  input.dispatchEvent(new Event("change", { bubbles: true }));
}

function addButton(input) {
  const label = input.id && document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
  const button = document.createElement("button");
  button.type = "button"; // never submits the form it sits in
  button.className = "govuk-button govuk-button--secondary govuk-!-margin-top-2 govuk-!-margin-bottom-0 rhc-now";
  button.append("Now");
  // Several on one page: say which time each sets, after the word shown ("Now, When it was
  // held"). Not an aria-label: that would also make the button a label of the time field.
  if (label) {
    const which = document.createElement("span");
    which.className = "govuk-visually-hidden";
    which.textContent = ", " + label.textContent.trim();
    button.append(which);
  }
  button.addEventListener("click", () => setToNow(input));
  input.after(button);
}

document.querySelectorAll('input[type="datetime-local"]:not([readonly]):not([disabled])')
  .forEach(addButton);
