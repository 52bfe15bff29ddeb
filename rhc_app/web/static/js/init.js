// GOV.UK Frontend components (character count, error summary focus, details, …).
import { initAll } from "../govuk-frontend.min.js";
initAll();
