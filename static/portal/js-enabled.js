// Tells GOV.UK Frontend's styles that JavaScript runs. Loaded as a file, not
// inline, so the Content Security Policy needs no nonce and pages can be cached.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
