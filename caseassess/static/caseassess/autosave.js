// Autosave helper: stamps each edit with the client time so the server can ignore an
// older autosave that arrives after a newer one. Without JavaScript the form posts normally.
(function () {
  var form = document.getElementById('answers-form')
  if (!form) return
  var stamp = document.getElementById('client_stamp')
  function touch () { if (stamp) stamp.value = String(Date.now()) }
  form.addEventListener('input', touch)
  form.addEventListener('change', touch)
  form.addEventListener('submit', touch)
  // A busy database answers 503 with a "not saved" note: show it (htmx swaps only 2xx by default).
  document.body.addEventListener('htmx:beforeSwap', function (e) {
    if (e.detail.xhr && e.detail.xhr.status === 503) { e.detail.shouldSwap = true; e.detail.isError = false }
  })
})()
