// Recommendation Tracker: start GOV.UK Frontend components.
//
// No imports, no build step: templates/base.html loads GOV.UK Frontend's
// ES module bundle (static/dist/govuk-frontend.min.js) in a small inline
// <script type="module"> that exposes it as window.GOVUKFrontend, then loads
// this file as <script type="module">. Module scripts run in document order,
// so window.GOVUKFrontend is set by the time this runs.
//
// initAll() (GOV.UK Frontend v6) finds every [data-module="govuk-…"] element
// (error summary, notification banner, service navigation, password input,
// skip link, …) and creates the component. It does nothing on browsers that
// fail GOV.UK Frontend's support check (no "govuk-frontend-supported" class
// on <body>), which get the plain HTML instead.
;(function () {
  'use strict'

  var GOVUKFrontend = window.GOVUKFrontend
  if (!GOVUKFrontend || typeof GOVUKFrontend.initAll !== 'function') {
    return
  }
  if (!GOVUKFrontend.isSupported()) {
    return
  }
  GOVUKFrontend.initAll()
})()
