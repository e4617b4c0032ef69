import { LitElement, html, css, nothing } from 'lit';
import { Task } from '@lit/task';
import { ApiError, admin, all, type Group, type GroupMember, type Job, type Tenant } from './api.js';
import { loadCatalog, type Catalog } from './catalog.js';
import { SAMPLE_MEMBERS, csvDataUrl } from './csv.js';
import { announce } from './events.js';
import { NO_PROBLEM, field, focusFirstInvalid, formAlert, formValues, lines, optionalInt, problemOf, type FormProblem } from './fields.js';
import { dateTime } from './format.js';
import { explain, t } from './messages.js';
import { shared } from './shared.styles.js';

const FIELDS = ['name', 'plan_id', 'ip_ranges', 'email_domains', 'seat_limit', 'owner_subscription_id'];

/** "Line 3: …" for an error on one entry of a one-per-line list (`ip_ranges.2`). */
const lineError = (path: string, message: string) => {
  const m = /\.(\d+)$/.exec(path);
  return m ? `Line ${Number(m[1]) + 1}: ${message}` : message;
};

/**
 * @summary Groups (organisations): IP ranges, email domains and seats, with the create/edit
 * form (conflicts shown as the API names them, such as `ip_range_conflict` with the other
 * group) and member imports (`POST /admin/v1/plans/{id}/imports`) with their progress.
 */
export class GroupsView extends LitElement {
  static override styles = [shared, css`:host { display: block; } section.import, section.members { margin-top: 1rem; } .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; } td ul { margin: 0; padding-left: 1rem; }`];
  static override properties = {
    tenant: { attribute: false },
    _editing: { state: true },
    _problem: { state: true },
    _importing: { state: true },
    _importProblem: { state: true },
    _job: { state: true },
    _reload: { state: true },
    _members: { state: true },
  };
  declare tenant: Tenant;
  declare _editing: Group | null;
  declare _problem: FormProblem;
  declare _importing: Group | null;
  declare _importProblem: string | null;
  declare _job: Job | null;
  declare _reload: number;
  declare _members: { group: Group; rows: GroupMember[] | null; problem: string | null } | null;

  constructor() {
    super();
    this._editing = null;
    this._problem = NO_PROBLEM;
    this._importing = null;
    this._importProblem = null;
    this._job = null;
    this._reload = 0;
    this._members = null;
  }

  private task = new Task(this, {
    task: async (_args, { signal }): Promise<{ groups: Group[]; catalog: Catalog }> => {
      const [groups, catalog] = await Promise.all([all<Group>('/groups', signal), loadCatalog(signal)]);
      return { groups, catalog };
    },
    args: () => [this._reload],
  });

  private async save(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = formValues(form);
    const seat = optionalInt(v.seat_limit);
    const body: Record<string, unknown> = {
      name: v.name ?? '',
      plan_id: v.plan_id ?? '',
      ip_ranges: lines(v.ip_ranges),
      email_domains: lines(v.email_domains),
      seat_limit: seat === undefined ? null : seat,
      owner_subscription_id: v.owner_subscription_id?.trim() ? v.owner_subscription_id.trim() : null,
      ...(form.querySelector<HTMLInputElement>('#confirm-broad')?.checked ? { confirm_broad_ranges: true } : {}),
    };
    if (Number.isNaN(seat)) {
      this._problem = { fields: { seat_limit: t.mustBeNumber }, general: null };
      await focusFirstInvalid(this);
      return;
    }
    try {
      const g = this._editing
        ? await admin.patch<Group>(`/groups/${encodeURIComponent(this._editing.id)}`, body)
        : await admin.post<Group>('/groups', body);
      this._problem = NO_PROBLEM;
      this._editing = null;
      form.reset();
      announce(this, t.groupSaved(g.name));
      this._reload++;
    } catch (err) {
      const problem = problemOf(err, FIELDS);
      // Conflicts are shown as the API names them, with the other group.
      if (err instanceof ApiError && err.status !== 400) problem.general = `${explain(err)} (${err.code})${err.detail ? ` ${err.detail}` : ''}`;
      this._problem = problem;
      await focusFirstInvalid(this);
    }
  }

  private startImport(g: Group): void {
    this._importing = g;
    this._importProblem = null;
    this._job = null;
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#import-h')?.focus());
  }

  private async runImport(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const file = this.renderRoot.querySelector<HTMLInputElement>('#members-file')?.files?.[0];
    if (!file || !this._importing) {
      this._importProblem = t.chooseFile;
      return;
    }
    this._importProblem = null;
    try {
      const res = await admin.csv<{ job: Job }>('POST', `/plans/${encodeURIComponent(this._importing.plan_id)}/imports`, file);
      this._job = res.job;
    } catch (err) {
      this._importProblem = problemOf(err).general;
    }
  }

  private async showMembers(g: Group): Promise<void> {
    this._members = { group: g, rows: null, problem: null };
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#members-h')?.focus());
    try {
      const page = await admin.get<{ data: GroupMember[] }>(`/groups/${encodeURIComponent(g.id)}/members?limit=200`);
      this._members = { group: g, rows: page.data, problem: null };
    } catch (err) {
      this._members = { group: g, rows: [], problem: problemOf(err).general };
    }
  }

  private renderMembers() {
    const m = this._members;
    if (!m) return nothing;
    return html`<section class="card members" aria-labelledby="members-h">
      <h2 id="members-h" tabindex="-1">${t.membersOf(m.group.name)}</h2>
      ${m.problem ? html`<p class="alert error" role="alert">${m.problem}</p>` : nothing}
      ${!m.rows
        ? html`<p role="status">${t.loading}</p>`
        : m.rows.length === 0
          ? html`<p>${t.noMembers}</p>`
          : html`<div class="table-wrap"><table>
              <thead><tr><th scope="col">${t.colUser}</th><th scope="col">${t.colVia}</th><th scope="col">${t.colStatus}</th><th scope="col">${t.colClaimed}</th></tr></thead>
              <tbody>${m.rows.map((r) => html`<tr><td><code>${r.user_id}</code></td><td>${t.via[r.via] ?? r.via}</td><td>${r.status}</td><td>${dateTime(r.claimed_at, this.tenant?.time_zone ?? 'UTC')}</td></tr>`)}</tbody>
            </table></div>`}
      <button class="secondary" @click=${() => (this._members = null)}>${t.close}</button>
    </section>`;
  }

  private edit(g: Group): void {
    this._editing = g;
    this._problem = NO_PROBLEM;
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#f-name')?.focus());
  }

  private renderForm(catalog: Catalog) {
    const g = this._editing;
    const errors = this._problem.fields;
    return html`<section class="card" aria-labelledby="group-form-h">
      <h2 id="group-form-h">${g ? t.editGroup(g.name) : t.newGroup}</h2>
      ${formAlert(this._problem)}
      <form @submit=${this.save} novalidate>
        ${field({ name: 'name', label: t.groupName, errors, value: g?.name ?? '', required: true })}
        <div class="field">
          <label for="group-plan">${t.groupPlan}</label>
          <select id="group-plan" name="plan_id" aria-invalid=${errors.plan_id ? 'true' : 'false'}>
            ${catalog.plans.map((p) => html`<option value=${p.id} ?selected=${g?.plan_id === p.id}>${catalog.productName(p.product_id)} · ${p.name}</option>`)}
          </select>
          ${errors.plan_id ? html`<span class="error">${errors.plan_id}</span>` : nothing}
        </div>
        ${field({ name: 'ip_ranges', label: t.ipRanges, type: 'textarea', errors, value: g?.ip_ranges.join('\n') ?? '', help: t.ipRangesHelp, describeError: lineError })}
        <div class="check"><input type="checkbox" id="confirm-broad" /><label for="confirm-broad">${t.confirmBroad}</label></div>
        ${field({ name: 'email_domains', label: t.emailDomains, type: 'textarea', rows: 3, errors, value: g?.email_domains.join('\n') ?? '', help: t.emailDomainsHelp, describeError: lineError })}
        ${field({ name: 'seat_limit', label: `${t.seatLimit} ${t.optional}`, type: 'number', min: 1, errors, value: g?.seat_limit ?? '', placeholder: t.unlimited })}
        ${field({ name: 'owner_subscription_id', label: `${t.ownerSubscription} ${t.optional}`, errors, value: g?.owner_subscription_id ?? '', help: t.ownerSubscriptionHelp, autocomplete: 'off' })}
        <div class="actions">
          <button type="submit">${g ? t.saveGroup : t.createGroup}</button>
          ${g ? html`<button type="button" class="secondary" @click=${() => (this._editing = null)}>${t.cancel}</button>` : nothing}
        </div>
      </form>
    </section>`;
  }

  private renderImport() {
    const g = this._importing;
    if (!g) return nothing;
    return html`<section class="card import" aria-labelledby="import-h">
      <h2 id="import-h" tabindex="-1">${t.importMembersOf(g.name)}</h2>
      <form @submit=${this.runImport} novalidate>
        <div class="field">
          <label for="members-file">${t.membersFile}</label>
          <input id="members-file" type="file" accept=".csv,text/csv" aria-describedby="members-help" />
          <span class="help" id="members-help">${t.membersFileHelp} <a href=${csvDataUrl(SAMPLE_MEMBERS)} download="members-sample.csv">${t.sampleFile}</a></span>
        </div>
        ${this._importProblem ? html`<p class="error" role="alert">${this._importProblem}</p>` : nothing}
        <div class="actions">
          <button type="submit">${t.importMembers}</button>
          <button type="button" class="secondary" @click=${() => (this._importing = null)}>${t.close}</button>
        </div>
      </form>
      ${this._job ? html`<job-progress job-id=${this._job.id} @job-done=${() => this._reload++}></job-progress>` : nothing}
    </section>`;
  }

  override render() {
    return html`
      <h1>${t.groupsTitle}</h1>
      ${this.task.render({
        pending: () => html`<p role="status">${t.loading}</p>`,
        error: (e) => html`<div class="alert error" role="alert">${explain(e instanceof ApiError ? e : { code: 'network_error', status: 0 })}
          <button class="secondary" @click=${() => this._reload++}>${t.retry}</button></div>`,
        complete: ({ groups, catalog }) => html`
          ${groups.length === 0
            ? html`<p class="card">${t.noGroups}</p>`
            : html`<div class="table-wrap"><table>
                <thead><tr><th scope="col">${t.colName}</th><th scope="col">${t.colPlan}</th><th scope="col">${t.colSeats}</th><th scope="col">${t.colRanges}</th><th scope="col">${t.colDomains}</th><th scope="col"><span class="visually-hidden">${t.colActions}</span></th></tr></thead>
                <tbody>${groups.map(
                  (g) => html`<tr data-group-id=${g.id}>
                    <td>${g.name}</td>
                    <td>${catalog.planName(g.plan_id)}</td>
                    <td class="seats">${t.seats(g.seats_used, g.seat_limit)}</td>
                    <td>${g.ip_ranges.length ? html`<ul>${g.ip_ranges.slice(0, 5).map((r) => html`<li><code>${r}</code></li>`)}</ul>${g.ip_ranges.length > 5 ? html`<span class="muted">+${g.ip_ranges.length - 5}</span>` : nothing}` : '—'}</td>
                    <td>${g.email_domains.join(', ') || '—'}</td>
                    <td><div class="actions" style="margin:0">
                      <button class="secondary" @click=${() => this.edit(g)} aria-label=${t.editGroup(g.name)}>${t.edit}</button>
                      <button class="secondary" @click=${() => this.startImport(g)} aria-label=${t.importMembersOf(g.name)}>${t.importMembers}</button>
                      <button class="secondary" @click=${() => this.showMembers(g)} aria-label=${t.membersOf(g.name)}>${t.members}</button>
                    </div></td>
                  </tr>`,
                )}</tbody>
              </table></div>`}
          <div class="columns" style="margin-top:1rem">${this.renderForm(catalog)}</div>
        `,
      })}
      ${this.renderImport()}
      ${this.renderMembers()}
    `;
  }
}
