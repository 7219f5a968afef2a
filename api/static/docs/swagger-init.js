// Swagger UI on the API's own OpenAPI document, served from the package (the page's CSP allows no inline script).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    validatorUrl: null,  // never ask a validator on another site
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
