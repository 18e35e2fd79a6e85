// Every page: start govuk-frontend's components (skip link, service navigation, buttons, error summary, ...).
import { initAll } from "/static/vendor/govuk-frontend/govuk-frontend.min.js";

initAll();
