import { LitElement, html, css } from 'lit';
import { Task } from '@lit/task';
import { ApiError, admin, type Tenant } from './api.js';
import { announce } from './events.js';
import { NO_PROBLEM, field, focusFirstInvalid, formAlert, formValues, lines, optionalInt, problemOf, type FormProblem } from './fields.js';
import { explain, t } from './messages.js';
import { shared } from './shared.styles.js';

const TIME_ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

/**
 * @summary Tenant settings (`GET`/`PATCH /admin/v1/tenant`: name, time zone, allowed origins,
 * checkout hold minutes), then the keys and webhook endpoints panels.
 *
 * @fires tenant-changed - The settings were saved; `detail` is the tenant.
 */
export class SettingsView extends LitElement {
  static override styles = [shared, css`:host { display: block; } .narrow { max-width: 44rem; }`];
  static override properties = { tenant: { attribute: false }, _problem: { state: true } };
  declare tenant: Tenant;
  declare _problem: FormProblem;

  constructor() {
    super();
    this._problem = NO_PROBLEM;
  }

  private task = new Task(this, { task: async (_a, { signal }) => admin.get<Tenant>('/tenant', signal), args: () => [] });

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const v = formValues(e.target as HTMLFormElement);
    const hold = optionalInt(v.checkout_hold_minutes);
    try {
      const tenant = await admin.patch<Tenant>('/tenant', {
        name: v.name ?? '',
        time_zone: (v.time_zone ?? '').trim(),
        allowed_origins: lines(v.allowed_origins),
        ...(hold === undefined ? {} : { checkout_hold_minutes: hold }),
      });
      this._problem = NO_PROBLEM;
      announce(this, t.saved);
      this.dispatchEvent(new CustomEvent('tenant-changed', { detail: tenant, bubbles: true, composed: true }));
    } catch (err) {
      this._problem = problemOf(err, ['name', 'time_zone', 'allowed_origins', 'checkout_hold_minutes']);
      await focusFirstInvalid(this);
    }
  }

  override render() {
    const errors = this._problem.fields;
    return html`
      <h1>${t.settingsTitle}</h1>
      <section class="card narrow" aria-labelledby="tenant-h">
        <h2 id="tenant-h">${t.tenantTitle}</h2>
        ${this.task.render({
          pending: () => html`<p role="status">${t.loading}</p>`,
          error: (e) =>
            html`<p class="alert error" role="alert">${e instanceof ApiError && e.status === 404 ? t.notAvailable : explain(e instanceof ApiError ? e : { code: 'network_error', status: 0 })}</p>`,
          complete: (tenant) => html`
            ${formAlert(this._problem)}
            <form @submit=${this.save} novalidate>
              ${field({ name: 'name', label: t.tenantName, errors, value: tenant.name, required: true })}
              ${field({ name: 'time_zone', label: t.timeZone, errors, value: tenant.time_zone, help: t.timeZoneHelp, list: 'time-zones', autocomplete: 'off' })}
              <datalist id="time-zones">${TIME_ZONES.map((z) => html`<option value=${z}></option>`)}</datalist>
              ${field({ name: 'allowed_origins', label: t.allowedOrigins, type: 'textarea', rows: 3, errors, value: tenant.allowed_origins.join('\n'), help: t.allowedOriginsHelp, describeError: (p, m) => { const i = /\.(\d+)$/.exec(p); return i ? `Line ${Number(i[1]) + 1}: ${m}` : m; } })}
              ${field({ name: 'checkout_hold_minutes', label: t.holdMinutes, type: 'number', min: 1, max: 1440, errors, value: tenant.checkout_hold_minutes, help: t.holdMinutesHelp })}
              <button type="submit">${t.save}</button>
            </form>
          `,
        })}
      </section>
      <keys-panel></keys-panel>
      <webhooks-panel></webhooks-panel>
    `;
  }
}
