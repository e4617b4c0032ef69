import { LitElement, html, css, nothing } from 'lit';
import { Task } from '@lit/task';
import { ApiError, admin, type Key } from './api.js';
import { announce } from './events.js';
import { NO_PROBLEM, field, focusFirstInvalid, formAlert, formValues, optionalInt, problemOf, type FormProblem } from './fields.js';
import { dateTime } from './format.js';
import { explain, t } from './messages.js';
import { shared } from './shared.styles.js';

const listOf = <T>(res: T[] | { data: T[] }): T[] => (Array.isArray(res) ? res : res.data);

/**
 * @summary API keys (`/admin/v1/keys`): the list (prefixes only, never values), a new key with
 * an overlap during which the current keys of its kind keep working (its value shown once), and
 * revocation (the last working secret key cannot be revoked: `409 last_secret_key`).
 */
export class KeysPanel extends LitElement {
  static override styles = [shared, css`:host { display: block; }`];
  static override properties = { _problem: { state: true }, _created: { state: true }, _reload: { state: true }, _listProblem: { state: true } };
  declare _problem: FormProblem;
  declare _created: string | null;
  declare _reload: number;
  declare _listProblem: string | null;

  constructor() {
    super();
    this._problem = NO_PROBLEM;
    this._created = null;
    this._reload = 0;
    this._listProblem = null;
  }

  private task = new Task(this, { task: async (_a, { signal }) => listOf(await admin.get<Key[] | { data: Key[] }>('/keys', signal)), args: () => [this._reload] });

  private async create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const v = formValues(e.target as HTMLFormElement);
    const hours = optionalInt(v.expire_current_in_hours);
    try {
      const res = await admin.post<Record<string, unknown>>('/keys', { kind: v.kind, ...(hours === undefined ? {} : { expire_current_in_hours: hours }) });
      this._created = String(res.secret_key ?? res.publishable_key ?? '');
      this._problem = NO_PROBLEM;
      this._reload++;
      announce(this, t.newKeyValue);
    } catch (err) {
      this._problem = problemOf(err, ['kind', 'expire_current_in_hours']);
      await focusFirstInvalid(this);
    }
  }

  private async revoke(k: Key): Promise<void> {
    if (!confirm(t.confirmRevoke(k.prefix))) return;
    this._listProblem = null;
    try {
      await admin.del(`/keys/${encodeURIComponent(k.id)}`);
      this._reload++;
    } catch (err) {
      this._listProblem = problemOf(err).general;
    }
  }

  override render() {
    const errors = this._problem.fields;
    return html`<section class="card" aria-labelledby="keys-h">
      <h2 id="keys-h">${t.keysTitle}</h2>
      ${this._listProblem ? html`<div class="alert error" role="alert">${this._listProblem}</div>` : nothing}
      ${this.task.render({
        pending: () => html`<p role="status">${t.loading}</p>`,
        error: (e) => html`<p class="alert error" role="alert">${e instanceof ApiError && e.status === 404 ? t.notAvailable : explain(e instanceof ApiError ? e : { code: 'network_error', status: 0 })}</p>`,
        complete: (keys) =>
          keys.length === 0
            ? html`<p>${t.noKeys}</p>`
            : html`<div class="table-wrap"><table>
                <thead><tr><th scope="col">${t.colKind}</th><th scope="col">${t.colPrefix}</th><th scope="col">${t.colCreated}</th><th scope="col">${t.colExpires}</th><th scope="col">${t.colRevoked}</th><th scope="col">${t.colLastUsed}</th><th scope="col"><span class="visually-hidden">${t.colActions}</span></th></tr></thead>
                <tbody>${keys.map(
                  (k) => html`<tr>
                    <td>${k.kind === 'secret' ? t.kindSecret : t.kindPublishable}</td>
                    <td><code>${k.prefix}…</code></td>
                    <td>${dateTime(k.created_at, 'UTC')}</td>
                    <td>${dateTime(k.expires_at, 'UTC')}</td>
                    <td>${dateTime(k.revoked_at, 'UTC')}</td>
                    <td>${dateTime(k.last_used_at, 'UTC')}</td>
                    <td>${k.revoked_at ? nothing : html`<button class="danger" aria-label=${t.revokeKey(k.prefix)} @click=${() => this.revoke(k)}>${t.revoke}</button>`}</td>
                  </tr>`,
                )}</tbody>
              </table></div>`,
      })}
      <h3>${t.newKey}</h3>
      ${formAlert(this._problem)}
      <form @submit=${this.create} novalidate>
        <div class="row">
          <div class="field">
            <label for="key-kind">${t.keyKind}</label>
            <select id="key-kind" name="kind"><option value="secret">${t.kindSecret}</option><option value="publishable">${t.kindPublishable}</option></select>
          </div>
          ${field({ name: 'expire_current_in_hours', label: t.expireCurrent, type: 'number', min: 0, max: 168, value: 24, errors, help: t.expireCurrentHelp })}
        </div>
        <button type="submit">${t.createKey}</button>
      </form>
      ${this._created
        ? html`<div class="alert ok" role="status"><p>${t.newKeyValue}</p><code class="secret">${this._created}</code>
            <button class="secondary" @click=${() => (this._created = null)}>${t.close}</button></div>`
        : nothing}
    </section>`;
  }
}
