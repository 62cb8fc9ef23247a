// Autosave with a save status that is always true (DESIGN.md: "the save status on screen is
// always true"). Without JavaScript the form posts normally and this file does nothing.
//
// * Each changed question (or case detail) is kept in localStorage, per user, assessment
//   and page, with the version it was typed over, until the server confirms it.
// * Only changed questions are sent, with their versions: a stale tab never sends answers it
//   did not change, and one it did change over a newer answer comes back as a conflict.
// * One request at a time; failures retry with backoff (1, 2, 4 ... 30 s) and at once when the
//   browser comes back online; the status says what happened and when it has caught up.
// * Leaving the page sends what is pending with fetch(..., {keepalive: true}).
// * On the next visit, kept answers whose question has not changed on the server are put
//   back and re-sent; the others are offered, never applied over the newer answer.
(function () {
  'use strict'
  var form = document.getElementById('answers-form')
  if (!form || !form.dataset.autosave || !window.fetch || !form.querySelector('button[name=action]')) return
  var kind = form.dataset.autosave
  var user = form.dataset.user
  var url = window.location.pathname
  var KEY = 'caseassess:kept:' + user + ':' + form.dataset.assessment + ':' + url
  var box = document.getElementById('save-status')
  var text = document.getElementById('save-status-text')
  var tabInput = document.getElementById('client_tab')
  var stampInput = document.getElementById('client_stamp')
  var tab = Date.now().toString(36) + Math.random().toString(36).slice(2, 10)
  if (tabInput) tabInput.value = tab

  var dirty = {} // group -> true: changed and not yet sent
  var inflight = null // {groups: [...], snaps: {group: snapshot}}
  var timer = null
  var attempt = 0
  var hadProblem = false
  var submitting = false
  var lastState = 'idle'
  var problems = {} // group -> why the server refused it (until it is saved or changed again)

  // --- fields and groups ------------------------------------------------------------------
  function groupOf (name) {
    if (!name) return null
    // q-B.4.1.1, q-B.4.1.1-present, c-B.4.1.1, q-E.3.3.2:<factor> (one answer per factor)
    var m = kind === 'section' ? /^[qc]-([^:]+?)(-present|:.*)?$/.exec(name) : /^d-(.+?)(-present|-day|-month|-year)?$/.exec(name)
    return m ? m[1] : null
  }
  function versionInput (g) {
    return kind === 'section' ? form.querySelector('input[type=hidden][name="v-' + g + '"]') : document.getElementById('details_version')
  }
  function baseOf (g) { var el = versionInput(g); return el ? el.value : '0' }
  function snapshot (g) {
    var out = {}
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === 'hidden' || el.disabled || groupOf(el.name) !== g) return
      if (!out[el.name]) out[el.name] = []
      if (el.type === 'radio' || el.type === 'checkbox') { if (el.checked) out[el.name].push(el.value) } else out[el.name].push(el.value)
    })
    return out
  }
  function same (a, b) { return JSON.stringify(a) === JSON.stringify(b) }
  function apply (snap) {
    Object.keys(snap).forEach(function (name) {
      Array.prototype.forEach.call(form.querySelectorAll('[name="' + name + '"]'), function (el) {
        if (el.type === 'radio' || el.type === 'checkbox') el.checked = snap[name].indexOf(el.value) !== -1
        else el.value = snap[name][0] || ''
      })
    })
  }
  function label (g) { return kind === 'section' ? g : (function () {
    var el = document.getElementById('field-' + g); var lg = el && el.querySelector('legend, label')
    return lg ? lg.textContent.trim() : g
  })() }

  // --- kept in this browser -----------------------------------------------------------------
  function load () { try { return JSON.parse(window.localStorage.getItem(KEY)) || { groups: {} } } catch (e) { return { groups: {} } } }
  function store (kept) {
    try {
      if (Object.keys(kept.groups).length) window.localStorage.setItem(KEY, JSON.stringify(kept))
      else window.localStorage.removeItem(KEY)
      return true
    } catch (e) { return false }
  }
  function keep (g) {
    var kept = load()
    kept.user = user
    kept.groups[g] = { fields: snapshot(g), base: baseOf(g), at: Date.now() }
    store(kept)
  }
  function confirmed (g, snap) {
    var kept = load()
    if (kept.groups[g] && same(kept.groups[g].fields, snap)) { delete kept.groups[g]; store(kept) }
  }
  function keptCount () { return Object.keys(load().groups).length }

  // --- the status --------------------------------------------------------------------------
  function say (state, message, link) {
    lastState = state
    box.hidden = false
    box.dataset.state = state
    text.textContent = message
    if (link) {
      var a = document.createElement('a')
      a.className = 'govuk-link'
      a.href = link.href
      a.textContent = link.text
      text.appendChild(document.createTextNode(' '))
      text.appendChild(a)
      if (link.after) text.appendChild(document.createTextNode(link.after))
    }
  }
  function plural (n, word) { return n + ' ' + word + (n === 1 ? '' : 's') }
  function keptWords () { var n = keptCount(); return n ? ' ' + plural(n, kind === 'section' ? 'answer' : 'change') + ' kept in this browser.' : '' }

  // --- sending -----------------------------------------------------------------------------
  function token () { var t = form.querySelector('input[name=csrfmiddlewaretoken]'); return t ? t.value : '' }
  function body (groups, snaps) {
    var fd = new window.FormData()
    fd.append('csrfmiddlewaretoken', token())
    fd.append('autosave', '1')
    fd.append('client_stamp', stampInput ? stampInput.value : String(Date.now()))
    fd.append('client_tab', tab)
    fd.append('page_user', user)
    if (kind === 'details') fd.append('details_version', baseOf(null))
    groups.forEach(function (g) {
      var prefix = kind === 'section' ? 'q-' : 'd-'
      if (form.querySelector('input[name="' + prefix + g + '-present"]')) fd.append(prefix + g + '-present', '1')
      if (kind === 'section') fd.append('v-' + g, baseOf(g))
      var snap = snaps[g]
      Object.keys(snap).forEach(function (name) { snap[name].forEach(function (v) { fd.append(name, v) }) })
    })
    return fd
  }
  function schedule (ms) { window.clearTimeout(timer); timer = window.setTimeout(flush, ms) }

  function flush () {
    window.clearTimeout(timer)
    if (inflight || submitting) return
    var groups = Object.keys(dirty)
    if (!groups.length) return
    if (navigator.onLine === false) { offline(); return }
    var snaps = {}
    groups.forEach(function (g) { snaps[g] = snapshot(g) })
    dirty = {}
    inflight = { groups: groups, snaps: snaps }
    if (lastState !== 'retrying') say('saving', 'Saving…')
    var controller = window.AbortController ? new window.AbortController() : null
    var timeout = window.setTimeout(function () { if (controller) controller.abort() }, 15000)
    window.fetch(url, {
      method: 'POST', body: body(groups, snaps), credentials: 'same-origin',
      headers: { 'X-Autosave': '1', Accept: 'application/json' }, signal: controller ? controller.signal : undefined
    }).then(function (response) {
      window.clearTimeout(timeout)
      return response.json().catch(function () { return null }).then(function (data) { answered(response.status, data) })
    }).catch(function () {
      window.clearTimeout(timeout)
      failed(navigator.onLine === false ? 'offline' : 'network')
    })
  }

  function requeue () {
    if (!inflight) return
    inflight.groups.forEach(function (g) { dirty[g] = true })
    inflight = null
  }

  function failed (why, status) {
    requeue()
    hadProblem = true
    if (why === 'offline') { offline(); return }
    attempt += 1
    var wait = Math.min(30, Math.pow(2, attempt - 1))
    var why = status === 503 ? 'the service is busy' : (status ? 'the server had a problem (error ' + status + ')' : 'the server did not answer')
    say('retrying', 'Not saved – ' + why +
      '. Retrying in ' + plural(wait, 'second') + '.' + keptWords())
    schedule(wait * 1000)
  }

  function offline () {
    hadProblem = true
    say('offline', 'Offline – not saved.' + (keptWords() || ' Changes you make are kept in this browser.') + ' They will be saved when you are back online.')
  }

  // Only the versions of the answers this page sent and the server saved move on: a version
  // of an answer saved elsewhere, which this page does not show, must stay old (so a change
  // of that answer here is a conflict, never a silent overwrite).
  function confirmGroups (data, groups) {
    if (data && data.versions) {
      groups.forEach(function (g) {
        var el = form.querySelector('input[type=hidden][name="v-' + g + '"]')
        if (el && data.versions['v-' + g] !== undefined) el.value = data.versions['v-' + g]
      })
    }
    if (data && typeof data.details_version === 'number') document.getElementById('details_version').value = data.details_version
  }

  function answered (status, data) {
    var state = data && data.state
    if (status === 401 || (status === 403 && state === 'session_ended')) { sessionEnded(status, data); return }
    if (!state || status >= 500 || (status === 403)) { failed('server', status); return }
    var sent = inflight
    inflight = null
    attempt = 0
    var errors = data.errors || {}
    var conflicts = data.conflicts || []
    var refused = {}
    Object.keys(errors).forEach(function (name) { refused[groupOf(name)] = true })
    conflicts.forEach(function (c) { refused[c.question] = true })
    Object.keys(errors).forEach(function (name) { problems[groupOf(name)] = errors[name] })
    conflicts.forEach(function (c) {
      problems[c.question] = c.question + ' was changed by ' + c.by + ' (saved answer: ' + c.theirs + ')'
    })
    if (state === 'saved' || (state === 'invalid' && kind === 'details')) {
      // Saved (case details: every valid field is saved even when another is refused).
      var saved = sent.groups.filter(function (g) { return !refused[g] })
      confirmGroups(data, saved)
      saved.forEach(function (g) { confirmed(g, sent.snaps[g]); delete problems[g] })
    } else if (kind === 'section' && (state === 'invalid' || state === 'conflict')) {
      // A section saves all or nothing: send the others again without the refused answer.
      sent.groups.forEach(function (g) { if (!refused[g]) dirty[g] = true })
    }
    // A conflict saves nothing and keeps this page's versions: the next save of that answer
    // is refused again until the person compares both versions.
    markErrors(errors)
    if (data.warnings) showWarnings(data.warnings, data.unanswered || [])
    document.dispatchEvent(new window.CustomEvent('caseassess:server-contact'))
    if (state === 'saved' && Object.keys(problems).length) {
      say('problem', 'Not saved: ' + Object.keys(problems).map(function (g) { return problems[g] }).join('; ') +
        '. Everything else is saved (at ' + data.saved_at + ').')
      if (Object.keys(dirty).length) schedule(1000)
      return
    }
    if (state === 'saved') {
      if (Object.keys(dirty).length) { schedule(300); say('saving', 'Saving…'); return }
      if (hadProblem && !keptCount()) {
        hadProblem = false
        say('saved', 'All caught up: every answer is saved. Saved at ' + data.saved_at + '.')
      } else say('saved', 'Saved at ' + data.saved_at + '.')
      return
    }
    if (state === 'conflict' || state === 'invalid') {
      var why = Object.keys(problems).map(function (g) { return problems[g] })
      if (!why.length) why = [data.message || 'these details were changed since this page was opened']
      say('problem', 'Not saved: ' + why.join('; ') + '. ' + (state === 'conflict'
        ? 'Your answer is kept in this browser. Use “Save and continue” to compare both versions and choose.'
        : (kind === 'details' ? 'Everything else is saved.' : 'Correct it to save.')))
    } else {
      say('problem', 'Not saved: ' + (data.message || 'this assessment cannot be changed now') + '.')
    }
    if (Object.keys(dirty).length) schedule(1000)
  }

  // The token rotates when the person signs in again in another tab: if this browser is still
  // signed in as the same person, take the new token and send again; otherwise say so.
  function sessionEnded (status, data) {
    requeue()
    hadProblem = true
    var signIn = (data && data.sign_in) || '/account/sign-in/?next=' + encodeURIComponent(url)
    var ended = function () {
      say('session_ended', 'Not saved – your session ended. We kept what you typed in this browser.', { href: signIn, text: 'Sign in again', after: ' to save it.' })
    }
    if (status !== 403 || attempt > 2) { ended(); return }
    attempt += 1
    window.fetch(form.dataset.keepAlive || '/account/keep-alive/', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json() })
      .then(function (d) {
        if (d && d.signed_in && String(d.user) === String(user) && d.csrf_token) {
          form.querySelector('input[name=csrfmiddlewaretoken]').value = d.csrf_token
          flush()
        } else ended()
      }).catch(ended)
  }

  // --- what the server says beside the questions ------------------------------------------
  function markErrors (errors) {
    var boxes = '.govuk-input, .govuk-textarea, .govuk-select'
    Array.prototype.forEach.call(form.querySelectorAll('[data-autosave-error]'), function (el) {
      var group = el.closest('.govuk-form-group')
      if (group) {
        group.classList.remove('govuk-form-group--error')
        Array.prototype.forEach.call(group.querySelectorAll(boxes), function (i) { i.classList.remove(i.classList[0] + '--error') })
      }
      el.remove()
    })
    Object.keys(errors).forEach(function (name) {
      var g = groupOf(name)
      var holder = document.getElementById(kind === 'section' ? 'question-' + g.replace(/\./g, '_') : 'field-' + g)
      var group = holder && holder.querySelector('.govuk-form-group')
      if (!group) return
      group.classList.add('govuk-form-group--error')
      Array.prototype.forEach.call(group.querySelectorAll(boxes), function (i) { i.classList.add(i.classList[0] + '--error') })
      var p = document.createElement('p')
      p.className = 'govuk-error-message'
      p.setAttribute('data-autosave-error', '')
      var hidden = document.createElement('span')
      hidden.className = 'govuk-visually-hidden'
      hidden.textContent = 'Error: '
      p.appendChild(hidden)
      p.appendChild(document.createTextNode(errors[name]))
      var legend = group.querySelector('legend, label')
      if (legend && legend.parentNode) legend.parentNode.insertBefore(p, legend.nextSibling)
    })
  }

  function showWarnings (warnings, unanswered) {
    Array.prototype.forEach.call(form.querySelectorAll('[data-notes-for]'), function (notes) {
      var qid = notes.dataset.notesFor
      while (notes.firstChild) notes.removeChild(notes.firstChild)
      warnings.forEach(function (w) {
        if (w.questions.indexOf(qid) === -1) return
        var div = document.createElement('div')
        div.className = 'govuk-warning-text'
        div.dataset.rule = w.rule
        var icon = document.createElement('span')
        icon.className = 'govuk-warning-text__icon'
        icon.setAttribute('aria-hidden', 'true')
        icon.textContent = '!'
        var strong = document.createElement('strong')
        strong.className = 'govuk-warning-text__text'
        var vh = document.createElement('span')
        vh.className = 'govuk-visually-hidden'
        vh.textContent = 'Warning'
        strong.appendChild(vh)
        strong.appendChild(document.createTextNode(w.message + ' (' + w.questions.join(', ') + ')' + (w.explained ? ' You have explained this.' : ' ')))
        if (!w.explained && form.dataset.explainUrl) {
          var a = document.createElement('a')
          a.className = 'govuk-link'
          a.href = form.dataset.explainUrl + '#explain-' + w.rule
          a.textContent = 'Change an answer or explain it before you submit'
          strong.appendChild(a)
          strong.appendChild(document.createTextNode('.'))
        }
        div.appendChild(icon)
        div.appendChild(strong)
        notes.appendChild(div)
      })
      var question = notes.closest('.app-question')
      var open = unanswered.indexOf(qid) !== -1
      if (question) question.classList.toggle('app-question--unanswered', open)
      if (open) {
        var p = document.createElement('p')
        p.className = 'govuk-body-s app-unanswered-note'
        p.setAttribute('data-unanswered', '')
        p.textContent = 'Not answered yet'
        notes.appendChild(p)
      }
    })
  }

  // --- events ------------------------------------------------------------------------------
  function edited (event) {
    var g = groupOf(event.target && event.target.name)
    if (!g) return
    if (stampInput) stampInput.value = String(Date.now())
    dirty[g] = true
    delete problems[g]
    keep(g)
    if (navigator.onLine === false) { offline(); return }
    if (lastState !== 'retrying' && lastState !== 'session_ended' && !inflight) say('dirty', 'Not saved yet – saving in a moment.')
    if (lastState !== 'retrying' && lastState !== 'session_ended') schedule(1000)
  }
  form.addEventListener('input', edited)
  form.addEventListener('change', edited)
  window.addEventListener('online', function () { if (Object.keys(dirty).length) { attempt = 0; flush() } })
  window.addEventListener('offline', function () { offline() })

  form.addEventListener('submit', function (event) {
    if (navigator.onLine === false) {
      event.preventDefault()
      say('offline', 'Offline – your answers are kept in this browser. Save when you are back online.')
      return
    }
    // The full post carries every answer with this tab's id and versions: nothing else to send.
    submitting = true
    window.clearTimeout(timer)
  })

  // Leaving the page (a link, Back, closing the tab) within the debounce still saves.
  window.addEventListener('pagehide', function () {
    if (submitting) return
    var groups = Object.keys(dirty)
    if (inflight) groups = groups.concat(inflight.groups.filter(function (g) { return groups.indexOf(g) === -1 }))
    if (!groups.length) return
    var snaps = {}
    groups.forEach(function (g) { snaps[g] = snapshot(g) })
    try {
      window.fetch(url, { method: 'POST', body: body(groups, snaps), credentials: 'same-origin', keepalive: true, headers: { 'X-Autosave': '1', Accept: 'application/json' } })
    } catch (e) {
      if (navigator.sendBeacon) navigator.sendBeacon(url, body(groups, snaps))
    }
  })
  window.addEventListener('beforeunload', function (event) {
    // Offline nothing can be sent: warn (the answers stay kept in this browser either way).
    if (!submitting && navigator.onLine === false && Object.keys(dirty).length) { event.preventDefault(); event.returnValue = '' }
  })

  // --- on arrival: answers kept from an earlier visit --------------------------------------
  var kept = load()
  var resent = 0
  var stale = []
  Object.keys(kept.groups).forEach(function (g) {
    var entry = kept.groups[g]
    if (same(snapshot(g), entry.fields)) { confirmed(g, entry.fields); return } // already saved
    if (!versionInput(g) && kind === 'section') return // not on this page any more
    if (String(entry.base) === String(baseOf(g))) { apply(entry.fields); dirty[g] = true; resent += 1 } else stale.push(g)
  })
  // Answers the server kept when the session ended, shown in the form with their versions.
  ;(form.dataset.restored || '').split(' ').forEach(function (name) {
    var g = groupOf(name)
    if (g && !dirty[g]) { dirty[g] = true; keep(g); resent += 1 }
  })
  box.hidden = false
  if (stale.length) {
    stale.forEach(function (g) {
      problems[g] = label(g) + ' (kept in this browser) was changed on the server since you typed it, so it was not re-sent'
    })
    var button = document.createElement('button')
    button.type = 'button'
    button.className = 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-top-1'
    button.textContent = 'Show my kept answers to compare'
    button.addEventListener('click', function () {
      stale.forEach(function (g) {
        var entry = load().groups[g]
        delete problems[g]
        if (!entry) return
        apply(entry.fields)
        var v = versionInput(g)
        if (v) v.value = entry.base // saving now shows both versions: never written silently
        dirty[g] = true
      })
      stale = []
      button.remove()
      flush()
    })
    box.appendChild(button)
  }
  if (resent) {
    say('saving', 'Saving ' + plural(resent, kind === 'section' ? 'answer' : 'change') + ' kept from your last visit…')
    flush()
  } else if (stale.length) {
    say('problem', 'Not saved: ' + Object.keys(problems).map(function (g) { return problems[g] }).join('; ') + '.')
  }
})()
