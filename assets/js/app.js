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

// A table container is a tab stop (to scroll it with the keyboard) only while
// its table is wider than it: the markup makes every container one, so that
// without this script every wide table can still be scrolled.
;(function () {
  'use strict'

  function update () {
    var containers = document.querySelectorAll('.app-table-container')
    for (var i = 0; i < containers.length; i++) {
      var container = containers[i]
      if (!container.hasAttribute('data-label')) {
        container.setAttribute('data-label', container.getAttribute('aria-label') || '')
      }
      if (container.scrollWidth > container.clientWidth) {
        container.setAttribute('tabindex', '0')
        container.setAttribute('role', 'region')
        container.setAttribute('aria-label', container.getAttribute('data-label'))
      } else {
        // A plain box: no tab stop, and no landmark in the screen reader's list of regions.
        container.removeAttribute('tabindex')
        container.removeAttribute('role')
        container.removeAttribute('aria-label')
      }
    }
  }

  update()
  window.addEventListener('resize', update)
})()
