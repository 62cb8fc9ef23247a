import { initAll } from '../vendor/govuk-frontend/govuk-frontend.min.js'
initAll()

// A shared browser: answers kept for another person (autosave.js) are discarded as soon as
// someone else is signed in, so the next user never sees them.
const me = document.querySelector('meta[name="caseassess-user"]')
if (me && me.content) {
  try {
    for (let i = window.localStorage.length - 1; i >= 0; i--) {
      const key = window.localStorage.key(i)
      if (key && key.startsWith('caseassess:kept:') && key.split(':')[2] !== me.content) window.localStorage.removeItem(key)
    }
  } catch (e) { /* storage unavailable: nothing is kept */ }
}
