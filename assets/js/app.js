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

// The idle timeout (tracker/sessions.py): a session unused for a while ends, so
// a shared computer left signed in is not left open. Typing and clicking in
// this page count as use: they tell the server so, at most once a minute (or
// twice within the warning, if that is shorter), so
// writing a long note never times out. Before the end, a modal dialog
// (templates/includes/idle_warning.html) says when, and offers to stay signed
// in; Escape does the same. Several tabs share one session: each asks the
// server how long is left before it warns, so a busy tab keeps the others quiet.
;(function () {
  'use strict'

  var dialog = document.getElementById('idle-warning')
  if (!dialog || typeof dialog.showModal !== 'function' || !window.fetch) {
    return
  }
  var warningMs = Number(dialog.getAttribute('data-warning-seconds')) * 1000
  var statusUrl = dialog.getAttribute('data-status-url')
  var signInUrl = dialog.getAttribute('data-sign-in-url')
  var stayForm = dialog.querySelector('.app-idle-warning__stay')
  var token = stayForm.querySelector('input[name="csrfmiddlewaretoken"]').value
  var time = dialog.querySelector('.app-idle-warning__time')
  var endsAt = Date.now() + Number(dialog.getAttribute('data-timeout-seconds')) * 1000
  var usedSinceLastTold = false
  var timer = null
  var returnFocusTo = null

  function ask (method) {
    var headers = { Accept: 'application/json' }
    if (method === 'POST') {
      headers['X-CSRFToken'] = token
    }
    return fetch(statusUrl, { method: method, headers: headers, credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) {
        throw new Error('The session status answered ' + response.status)
      }
      return response.json()
    })
  }

  function signedOut () {
    window.location.assign(signInUrl + '?next=' + encodeURIComponent(window.location.pathname + window.location.search))
  }

  // Take the server's answer; return false when there is nothing more to time.
  function heard (answer) {
    if (!answer.signed_in) {
      signedOut()
      return false
    }
    if (answer.seconds_left === null) {
      return false
    }
    endsAt = Date.now() + answer.seconds_left * 1000
    return true
  }

  function schedule (ms) {
    window.clearTimeout(timer)
    timer = window.setTimeout(check, Math.max(ms, 0))
  }

  function open () {
    var end = new Date(endsAt)
    time.textContent = end.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
    if (!dialog.open) {
      returnFocusTo = document.activeElement
      dialog.showModal()
    }
  }

  function close () {
    if (dialog.open) {
      dialog.close()
      if (returnFocusTo && typeof returnFocusTo.focus === 'function') {
        returnFocusTo.focus()
      }
    }
  }

  function check () {
    ask('GET').then(function (answer) {
      if (!heard(answer)) {
        return
      }
      var left = endsAt - Date.now()
      if (left > warningMs) {
        close()
        schedule(left - warningMs)
      } else {
        open()
        schedule(left + 1000) // just after the end, when the server says "signed out"
      }
    }).catch(function () {
      schedule(30000) // the network or server is away: ask again soon
    })
  }

  function stay () {
    usedSinceLastTold = false
    ask('POST').then(function (answer) {
      if (heard(answer)) {
        close()
        schedule(endsAt - Date.now() - warningMs)
      }
    }).catch(function () {
      stayForm.submit() // without the script's request: the form itself, which comes back to this page
    })
  }

  stayForm.addEventListener('submit', function (event) {
    if (event.submitter && event.submitter.getAttribute('form')) {
      return // "Sign out" belongs to the other form
    }
    event.preventDefault()
    stay()
  })
  dialog.addEventListener('cancel', function (event) {
    event.preventDefault() // Escape: stay signed in, rather than close and be signed out unwarned
    stay()
  })

  var used = function () {
    usedSinceLastTold = true
  }
  document.addEventListener('keydown', used, { capture: true, passive: true })
  document.addEventListener('pointerdown', used, { capture: true, passive: true })
  document.addEventListener('input', used, { capture: true, passive: true })
  window.setInterval(function () {
    if (usedSinceLastTold && !dialog.open) {
      usedSinceLastTold = false
      ask('POST').then(heard).catch(function () {})
    }
  }, Math.min(60000, warningMs / 2))

  schedule(endsAt - Date.now() - warningMs)
})()
