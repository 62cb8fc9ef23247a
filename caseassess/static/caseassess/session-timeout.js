// Warn before the session ends and offer "Stay signed in" (docs/security.md).
// The server ends a session after SESSION_COOKIE_AGE idle seconds and at the 12-hour
// absolute limit; this script only warns. Without JavaScript the dialog never shows
// and the server-side limits apply as they are.
(function () {
  'use strict'
  var dialog = document.getElementById('session-timeout')
  if (!dialog || typeof dialog.showModal !== 'function' || !window.fetch) return

  var idleMs = Number(dialog.dataset.idleSeconds) * 1000
  var absRaw = dialog.dataset.absoluteRemainingSeconds
  var warnMs = Number(dialog.dataset.warnSeconds) * 1000
  var signInUrl = dialog.dataset.signInUrl
  var loadedAt = Date.now()
  var absoluteEnd = absRaw === '' ? Infinity : loadedAt + Number(absRaw) * 1000
  var lastServerContact = loadedAt
  var form = dialog.querySelector('form')
  var stay = dialog.querySelector('[data-stay]')
  var countdown = dialog.querySelector('[data-countdown]')
  var absoluteNote = dialog.querySelector('[data-absolute-note]')
  var shownMinutes = null

  function deadline () { return Math.min(lastServerContact + idleMs, absoluteEnd) }
  // Whole minutes, then steps of 15 seconds: the live region must not speak every second.
  function words (ms) {
    var minutes = Math.ceil(ms / 60000)
    if (minutes > 1) return minutes + ' minutes'
    return Math.max(15, Math.ceil(ms / 15000) * 15) + ' seconds'
  }

  function tick () {
    var left = deadline() - Date.now()
    if (left <= 0) {
      window.location.href = signInUrl + '?next=' + encodeURIComponent(window.location.pathname + window.location.search)
      return
    }
    if (left <= warnMs) {
      var absoluteBinding = absoluteEnd <= lastServerContact + idleMs
      stay.hidden = absoluteBinding
      absoluteNote.hidden = !absoluteBinding
      var text = words(left)
      if (text !== shownMinutes) { countdown.textContent = text; shownMinutes = text }
      if (!dialog.open) { dialog.showModal(); (absoluteBinding ? dialog.querySelector('a') : stay).focus() }
    } else if (dialog.open) {
      dialog.close()
    }
  }

  // Autosave and other htmx requests refresh the server's idle timer.
  document.body.addEventListener('htmx:afterRequest', function (e) {
    if (e.detail && e.detail.successful) lastServerContact = Date.now()
  })
  document.addEventListener('caseassess:server-contact', function () { lastServerContact = Date.now() })

  form.addEventListener('submit', function (event) {
    event.preventDefault()
    stay.disabled = true
    window.fetch(form.action, {
      method: 'POST', body: new window.FormData(form), credentials: 'same-origin',
      headers: { Accept: 'application/json' }
    }).then(function (response) {
      if (!response.ok) throw new Error('signed out')
      return response.json()
    }).then(function (data) {
      lastServerContact = Date.now()
      if (typeof data.absolute_remaining_seconds === 'number') absoluteEnd = Date.now() + data.absolute_remaining_seconds * 1000
      shownMinutes = null
      dialog.close()
    }).catch(function () {
      window.location.href = signInUrl
    }).finally(function () { stay.disabled = false })
  })
  dialog.addEventListener('cancel', function (event) { event.preventDefault() })

  window.setInterval(tick, 1000)
})()
