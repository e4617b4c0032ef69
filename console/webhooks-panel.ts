import { LitElement, html, css, nothing } from 'lit';
import { Task } from '@lit/task';
import { ApiError, admin, type Delivery, type WebhookEndpoint } from './api.js';
import { announce } from './events.js';
import { NO_PROBLEM, field, focusFirstInvalid, formAlert, formValues, problemOf, type FormProblem } from './fields.js';
import { dateTime } from './format.js';
import { explain, t } from './messages.js';
import { shared } from './shared.styles.js';
import { WEBHOOK_EVENT_TYPES } from '../worker/domain/webhook-events';

/** The event types, from the worker's one list (a few bytes of data, no worker code). */
export const WEBHOOK_EVENTS = WEBHOOK_EVENT_TYPES;

const listOf = <T>(res: T[] | { data: T[] }): T[] => (Array.isArray(res) ? res : res.data);

/**
 * @summary Webhook endpoints (`/admin/v1/webhook-endpoints`): the list, a new endpoint (its
 * signing secret shown once), disable/enable, delete, and each endpoint's deliveries.
 */
export class WebhooksPanel extends LitElement {
  static override styles = [shared, css`:host { display: block; } .events { columns: 2 14rem; }`];
  static override properties = {
    _problem: { state: true },
    _secret: { state: true },
    _reload: { state: true },
    _listProblem: { state: true },
    _deliveriesOf: { state: true },
    _deliveries: { state: true },
  };
  declare _problem: FormProblem;
  declare _secret: string | null;
  declare _reload: number;
  declare _listProblem: string | null;
  declare _deliveriesOf: WebhookEndpoint | null;
  declare _deliveries: Delivery[] | null;

  constructor() {
    super();
    this._problem = NO_PROBLEM;
    this._secret = null;
    this._reload = 0;
    this._listProblem = null;
    this._deliveriesOf = null;
    this._deliveries = null;
  }

  private task = new Task(this, {
    task: async (_a, { signal }) => listOf(await admin.get<WebhookEndpoint[] | { data: WebhookEndpoint[] }>('/webhook-endpoints', signal)),
    args: () => [this._reload],
  });

  private async create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = formValues(form);
    const all = form.querySelector<HTMLInputElement>('#ev-all')!.checked;
    const events = all ? ['*'] : [...form.querySelectorAll<HTMLInputElement>('input[name="events"]:checked')].map((i) => i.value);
    try {
      const res = await admin.post<WebhookEndpoint>('/webhook-endpoints', { url: (v.url ?? '').trim(), events, ...(v.description ? { description: v.description } : {}) });
      this._secret = res.secret ?? null;
      this._problem = NO_PROBLEM;
      form.reset();
      this._reload++;
      announce(this, t.endpointSecret);
    } catch (err) {
      this._problem = problemOf(err, ['url', 'events', 'description']);
      await focusFirstInvalid(this);
    }
  }

  private async setDisabled(ep: WebhookEndpoint, disabled: boolean): Promise<void> {
    try {
      await admin.patch(`/webhook-endpoints/${encodeURIComponent(ep.id)}`, { disabled });
      this._reload++;
    } catch (err) {
      this._listProblem = problemOf(err).general;
    }
  }

  private async deleteEndpoint(ep: WebhookEndpoint): Promise<void> {
    if (!confirm(t.confirmDelete(ep.url))) return;
    try {
      await admin.del(`/webhook-endpoints/${encodeURIComponent(ep.id)}`);
      if (this._deliveriesOf?.id === ep.id) this._deliveriesOf = null;
      this._reload++;
    } catch (err) {
      this._listProblem = problemOf(err).general;
    }
  }

  private async showDeliveries(ep: WebhookEndpoint): Promise<void> {
    this._deliveriesOf = ep;
    this._deliveries = null;
    try {
      this._deliveries = listOf(await admin.get<Delivery[] | { data: Delivery[] }>(`/webhook-endpoints/${encodeURIComponent(ep.id)}/deliveries`));
    } catch (err) {
      this._listProblem = problemOf(err).general;
    }
  }

  private renderDeliveries() {
    const ep = this._deliveriesOf;
    if (!ep) return nothing;
    return html`<h3>${t.deliveriesOf(ep.url)}</h3>
      ${!this._deliveries
        ? html`<p role="status">${t.loading}</p>`
        : this._deliveries.length === 0
          ? html`<p>${t.noDeliveries}</p>`
          : html`<div class="table-wrap"><table>
              <thead><tr><th scope="col">${t.colEvent}</th><th scope="col">${t.colState}</th><th scope="col" class="num">${t.colAttempts}</th><th scope="col">${t.colLastStatus}</th><th scope="col">${t.colNextAttempt}</th></tr></thead>
              <tbody>${this._deliveries.map(
                (d) => html`<tr><td>${d.type}<br /><code class="muted">${d.event_id}</code></td><td>${d.status}</td><td class="num">${d.attempts}</td><td>${d.last_status_code ?? '—'}</td><td>${dateTime(d.next_attempt_at, 'UTC')}</td></tr>`,
              )}</tbody>
            </table></div>`}
      <button class="secondary" @click=${() => (this._deliveriesOf = null)}>${t.hideDeliveries}</button>`;
  }

  override render() {
    const errors = this._problem.fields;
    const eventsError = errors.events ?? Object.entries(errors).find(([k]) => k.startsWith('events.'))?.[1];
    return html`<section class="card" aria-labelledby="webhooks-h">
      <h2 id="webhooks-h">${t.webhooksTitle}</h2>
      ${this._listProblem ? html`<div class="alert error" role="alert">${this._listProblem}</div>` : nothing}
      ${this.task.render({
        pending: () => html`<p role="status">${t.loading}</p>`,
        error: (e) => html`<p class="alert error" role="alert">${e instanceof ApiError && e.status === 404 ? t.notAvailable : explain(e instanceof ApiError ? e : { code: 'network_error', status: 0 })}</p>`,
        complete: (eps) =>
          eps.length === 0
            ? html`<p>${t.noEndpoints}</p>`
            : html`<div class="table-wrap"><table>
                <thead><tr><th scope="col">${t.colUrl}</th><th scope="col">${t.colEvents}</th><th scope="col">${t.colState}</th><th scope="col"><span class="visually-hidden">${t.colActions}</span></th></tr></thead>
                <tbody>${eps.map(
                  (ep) => html`<tr>
                    <td><code>${ep.url}</code>${ep.description ? html`<br /><span class="muted">${ep.description}</span>` : nothing}</td>
                    <td>${ep.events.includes('*') ? t.allEvents : ep.events.join(', ')}</td>
                    <td>${ep.disabled ? t.disabled : t.enabled}</td>
                    <td><div class="actions" style="margin:0">
                      <button class="secondary" @click=${() => this.showDeliveries(ep)} aria-label=${t.deliveriesOf(ep.url)}>${t.deliveries}</button>
                      <button class="secondary" @click=${() => this.setDisabled(ep, !ep.disabled)}>${ep.disabled ? t.enable : t.disable}</button>
                      <button class="danger" @click=${() => this.deleteEndpoint(ep)}>${t.remove}</button>
                    </div></td>
                  </tr>`,
                )}</tbody>
              </table></div>`,
      })}
      ${this.renderDeliveries()}
      <h3>${t.createEndpoint}</h3>
      ${formAlert(this._problem)}
      <form @submit=${this.create} novalidate>
        ${field({ name: 'url', label: t.endpointUrl, type: 'url', errors, placeholder: 'https://', required: true })}
        <fieldset aria-describedby=${eventsError ? 'events-error' : nothing}>
          <legend>${t.events}</legend>
          <div class="check"><input type="checkbox" id="ev-all" checked /><label for="ev-all">${t.allEvents}</label></div>
          <div class="events">
            ${WEBHOOK_EVENTS.map((ev) => html`<div class="check"><input type="checkbox" id=${`ev-${ev}`} name="events" .value=${ev} /><label for=${`ev-${ev}`}><code>${ev}</code></label></div>`)}
          </div>
          ${eventsError ? html`<p class="error" id="events-error">${eventsError}</p>` : nothing}
        </fieldset>
        ${field({ name: 'description', label: `${t.endpointDescription} ${t.optional}`, errors })}
        <button type="submit">${t.createEndpoint}</button>
      </form>
      ${this._secret
        ? html`<div class="alert ok" role="status"><p>${t.endpointSecret}</p><code class="secret">${this._secret}</code>
            <button class="secondary" @click=${() => (this._secret = null)}>${t.close}</button></div>`
        : nothing}
    </section>`;
  }
}
