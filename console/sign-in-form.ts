import { LitElement, html, css, nothing } from 'lit';
import { session } from './api.js';
import { SIGNED_IN } from './events.js';
import { NO_PROBLEM, field, focusFirstInvalid, formAlert, problemOf, type FormProblem } from './fields.js';
import { t } from './messages.js';
import { shared } from './shared.styles.js';

/**
 * @summary The sign-in form: a "Secret key" field and a "Sign in" button. The key is sent once
 * to `POST /console/v1/session`, which answers with an HttpOnly session cookie; the field is
 * cleared at once and the key is never stored by the page.
 *
 * @attr notice - A message shown above the form (signed out, session ended).
 * @fires console:signed-in - The session started.
 */
export class SignInForm extends LitElement {
  static override styles = [shared, css`:host { display: block; max-width: 30rem; margin: 2rem auto; }`];
  static override properties = { notice: { type: String }, _problem: { state: true }, _busy: { state: true } };
  declare notice: string;
  declare _problem: FormProblem;
  declare _busy: boolean;

  constructor() {
    super();
    this.notice = '';
    this._problem = NO_PROBLEM;
    this._busy = false;
  }

  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLInputElement>('input[name="secret_key"]')?.focus();
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[name="secret_key"]')!;
    const key = input.value.trim();
    // The key leaves the DOM before anything else happens.
    input.value = '';
    if (!key) {
      this._problem = { fields: { secret_key: t.secretKeyRequired }, general: null };
      await focusFirstInvalid(this);
      return;
    }
    this._busy = true;
    this._problem = NO_PROBLEM;
    try {
      const started = await session.create(key);
      this.dispatchEvent(new CustomEvent(SIGNED_IN, { detail: started, bubbles: true, composed: true }));
    } catch (err) {
      const p = problemOf(err, ['secret_key']);
      // A refused key is a problem of the field.
      this._problem = Object.keys(p.fields).length === 0 && p.general ? { fields: { secret_key: p.general }, general: null } : p;
      await focusFirstInvalid(this);
    } finally {
      this._busy = false;
    }
  }

  override render() {
    return html`
      <div class="card">
        <h1>${t.signInTitle}</h1>
        ${this.notice ? html`<div class="alert ok" role="status">${this.notice}</div>` : nothing}
        <p class="muted">${t.signInIntro}</p>
        ${formAlert(this._problem)}
        <form @submit=${this.submit} novalidate>
          ${field({ name: 'secret_key', label: t.secretKey, type: 'password', errors: this._problem.fields, autocomplete: 'off', required: true })}
          <button type="submit" ?disabled=${this._busy}>${this._busy ? t.signingIn : t.signIn}</button>
        </form>
      </div>
    `;
  }
}
