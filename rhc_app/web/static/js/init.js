// GOV.UK Frontend components (character count, error summary focus, details, …), and a
// "Now" button beside every date and time field.
import { initAll } from "../govuk-frontend.min.js";
import "./now.js";
initAll();
