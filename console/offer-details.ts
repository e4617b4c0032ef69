import { LitElement, html, css, nothing } from 'lit';
import { Task } from '@lit/task';
import { ApiError, admin, type Job, type Offer, type OfferStats, type Tenant } from './api.js';
import { loadCatalog, type Catalog } from './catalog.js';
import { PollController } from './controllers.js';
import { announce } from './events.js';
import { NO_PROBLEM, field, focusFirstInvalid, formAlert, problemOf, type FormProblem } from './fields.js';
import { count, dayIn, dayInWords, formatDiscount, shortDate, todayIn } from './format.js';
import { explain, t } from './messages.js';
import { offerLabel, productsLabel } from './offers-table.js';
import { shared } from './shared.styles.js';

/** How often the live stats are read again. */
export const STATS_MS = 2_000;

interface PendingChange {
  endsAt: string | null;
  discoverability: 'private' | 'public' | null;
}

/**
 * @summary One offer: its facts, its live stats by plan (`GET /admin/v1/offers/{id}/stats`,
 * read again every few seconds so counts move without a reload), and the edit of a live
 * offer's end date and discoverability behind a confirmation that states the new end date in
 * words and warns when it ends the offer today.
 *
 * @attr offer-id - The offer shown.
 */
export class OfferDetails extends LitElement {
  static override styles = [
    shared,
    css`
      :host { display: block; }
      dialog { border: 1px solid var(--border); border-radius: var(--radius); background: var(--surface); color: var(--text); max-width: min(34rem, calc(100vw - 2rem)); padding: 1.2rem; }
      dialog::backdrop { background: rgb(0 0 0 / 0.45); }
      .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
    `,
  ];

  static override properties = {
    tenant: { attribute: false },
    offerId: { type: String, attribute: 'offer-id' },
    _offer: { state: true },
    _stats: { state: true },
    _problem: { state: true },
    _pending: { state: true },
    _busy: { state: true },
    _job: { state: true },
    _uploadProblem: { state: true },
    _file: { state: true },
  };
  declare tenant: Tenant;
  declare offerId: string;
  declare _offer: Offer | null;
  declare _stats: OfferStats | null;
  declare _problem: FormProblem;
  declare _pending: PendingChange | null;
  declare _busy: boolean;
  declare _job: Job | null;
  declare _uploadProblem: string | null;
  declare _file: File | null;

  constructor() {
    super();
    this.offerId = '';
    this._offer = null;
    this._stats = null;
    this._problem = NO_PROBLEM;
    this._pending = null;
    this._busy = false;
    this._job = null;
    this._uploadProblem = null;
    this._file = null;
  }

  private get tz(): string {
    return this.tenant?.time_zone ?? 'UTC';
  }

  private loadTask = new Task(this, {
    task: async ([id], { signal }): Promise<Catalog | null> => {
      if (this._offer && this._offer.id !== id) {
        this._offer = null;
        this._stats = null;
      }
      const path = `/offers/${encodeURIComponent(id)}`;
      const [offer, stats, catalog] = await Promise.all([
        admin.get<Offer>(path, signal),
        admin.get<OfferStats>(`${path}/stats`, signal),
        loadCatalog(signal).catch(() => null),
      ]);
      this._offer = offer;
      this._stats = stats;
      return catalog;
    },
    args: () => [this.offerId] as const,
  });

  private live = new PollController(
    this,
    async (signal) => {
      const id = this.offerId;
      if (!this._offer || this._offer.id !== id) return;
      const path = `/offers/${encodeURIComponent(id)}`;
      const [offer, stats] = await Promise.all([admin.get<Offer>(path, signal), admin.get<OfferStats>(`${path}/stats`, signal)]);
      if (id !== this.offerId) return;
      this._offer = offer;
      this._stats = stats;
    },
    STATS_MS,
  );

  // ---- edit ------------------------------------------------------------------------------------

  private review(e: SubmitEvent): void {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const offer = this._offer!;
    const endsAt = String(form.get('ends_at') ?? '');
    const discoverability = String(form.get('discoverability') ?? offer.discoverability) as 'private' | 'public';
    const change: PendingChange = {
      endsAt: endsAt && endsAt !== dayIn(offer.ends_at, this.tz) ? endsAt : null,
      discoverability: discoverability !== offer.discoverability ? discoverability : null,
    };
    if (!endsAt) {
      this._problem = { fields: { ends_at: t.required }, general: null };
      void focusFirstInvalid(this);
      return;
    }
    this._problem = NO_PROBLEM;
    if (!change.endsAt && !change.discoverability) {
      announce(this, t.noChange);
      this._problem = { fields: {}, general: null };
      return;
    }
    this._pending = change;
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLDialogElement>('dialog')?.showModal());
  }

  private closeDialog(): void {
    this.renderRoot.querySelector<HTMLDialogElement>('dialog')?.close();
    this._pending = null;
    this.renderRoot.querySelector<HTMLElement>('button.review')?.focus();
  }

  private async confirm(): Promise<void> {
    const change = this._pending;
    if (!change) return;
    this._busy = true;
    try {
      const body: Record<string, string> = {};
      if (change.endsAt) body.ends_at = change.endsAt;
      if (change.discoverability) body.discoverability = change.discoverability;
      this._offer = await admin.patch<Offer>(`/offers/${encodeURIComponent(this.offerId)}`, body);
      this.renderRoot.querySelector<HTMLDialogElement>('dialog')?.close();
      this._pending = null;
      this._problem = NO_PROBLEM;
      announce(this, t.saved);
    } catch (e) {
      this.renderRoot.querySelector<HTMLDialogElement>('dialog')?.close();
      this._pending = null;
      this._problem = problemOf(e, ['ends_at', 'discoverability']);
      await focusFirstInvalid(this);
    } finally {
      this._busy = false;
    }
  }

  private async upload(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (!this._file) {
      this._uploadProblem = t.chooseFile;
      return;
    }
    this._uploadProblem = null;
    try {
      const res = await admin.csv<{ job: Job }>('PUT', `/offers/${encodeURIComponent(this.offerId)}/eligible-users`, this._file);
      this._job = res.job;
    } catch (err) {
      this._uploadProblem = problemOf(err).general;
    }
  }

  // ---- rendering ---------------------------------------------------------------------------------

  private renderDialog() {
    const change = this._pending;
    const today = todayIn(this.tz);
    return html`<dialog aria-labelledby="confirm-h" aria-describedby="confirm-body" @close=${() => (this._pending = null)}>
      ${change
        ? html`<h2 id="confirm-h">${t.confirmChangeTitle}</h2>
            <div id="confirm-body">
              ${change.endsAt ? html`<p class="new-end">${t.newEndInWords(dayInWords(change.endsAt), this.tz)}</p>` : nothing}
              ${change.endsAt && change.endsAt === today ? html`<p class="alert warn ends-today">${t.endsTodayWarning}</p>` : nothing}
              ${change.endsAt && change.endsAt < today ? html`<p class="alert warn ends-today">${t.endsNowWarning}</p>` : nothing}
              ${change.discoverability
                ? html`<p>${t.newDiscoverability(change.discoverability === 'public' ? t.discoverPublic : t.discoverPrivate)}</p>`
                : nothing}
            </div>
            <div class="actions">
              <button type="button" class="secondary" @click=${() => this.closeDialog()}>${t.cancel}</button>
              <button type="button" ?disabled=${this._busy} @click=${() => this.confirm()}>${t.confirm}</button>
            </div>`
        : nothing}
    </dialog>`;
  }

  private renderStats(catalog: Catalog | null) {
    const s = this._stats;
    if (!s) return nothing;
    return html`
      <section aria-labelledby="stats-h">
        <h2 id="stats-h">${t.statsTitle}</h2>
        <ul class="stats">
          <li><span class="value eligible-users">${count(s.eligible_users)}</span>${t.eligibleUsers}</li>
          <li><span class="value users-availed">${count(s.users_availed)}</span>${t.usersAvailed}</li>
          <li><span class="value redemptions">${count(s.redemptions)}</span>${t.redemptions}</li>
          <li><span class="value discounted-renewals">${count(s.discounted_renewals)}</span>${t.discountedRenewals}</li>
        </ul>
        <h3>${t.byPlan}</h3>
        ${s.by_plan.length === 0
          ? html`<p class="muted">${t.noRedemptions}</p>`
          : html`<div class="table-wrap"><table class="by-plan">
              <thead><tr>
                <th scope="col">${t.colProduct}</th><th scope="col">${t.colPlan}</th>
                <th scope="col" class="num">${t.colUsersAvailed}</th><th scope="col" class="num">${t.colRedemptions}</th><th scope="col" class="num">${t.discountedRenewals}</th>
              </tr></thead>
              <tbody>${s.by_plan.map(
                (p) => html`<tr data-plan-id=${p.plan_id}>
                  <td>${catalog?.productName(p.product_id) ?? p.product_id}</td><td>${catalog?.planName(p.plan_id) ?? p.plan_id}</td>
                  <td class="num">${count(p.users_availed)}</td><td class="num">${count(p.redemptions)}</td><td class="num">${count(p.discounted_renewals)}</td>
                </tr>`,
              )}</tbody>
            </table></div>`}
        <p class="muted">${t.liveCountsNote}</p>
      </section>
    `;
  }

  private renderOffer(o: Offer, catalog: Catalog | null) {
    const tz = this.tz;
    const editable = o.status !== 'inactive' && o.status !== 'failed';
    const limits = [
      [t.maxRedemptions, o.max_redemptions],
      [t.availPerProduct, o.avail_limit_per_product],
      [t.availTotal, o.avail_limit_total],
      [t.subscriptionLimit, o.subscription_limit],
    ] as const;
    return html`
      <h1>${t.offerTitle(offerLabel(o))} <span class="badge ${o.status}">${t.statusLabel[o.status]}</span></h1>
      ${(o.failed_jobs ?? []).length > 0
        ? html`<div class="alert warn"><span aria-hidden="true">! </span>${t.failedRowsMark}:
            ${o.failed_jobs!.map((j) => html` <a href=${`/admin/v1/jobs/${encodeURIComponent(j.id)}/errors.csv`} download>${t.downloadFailedRows} (${count(j.failed)})</a>`)}</div>`
        : nothing}
      ${this.renderStats(catalog)}
      <div class="columns">
        <section class="card" aria-labelledby="facts-h">
          <h2 id="facts-h">${t.facts}</h2>
          <dl class="facts">
            <dt>${t.reviewProducts}</dt><dd>${productsLabel(o, catalog)}</dd>
            <dt>${t.reviewDurations}</dt><dd>${o.applies_to.durations.map((d) => t.duration[d]).join(', ')}</dd>
            <dt>${t.reviewDiscount}</dt><dd>${formatDiscount(o.discount)}</dd>
            <dt>${t.reviewValidity}</dt><dd class="validity">${t.validityRange(shortDate(o.starts_at, tz), shortDate(o.ends_at, tz))}</dd>
            <dt>${t.reviewEligibility}</dt><dd>${o.eligibility === 'all' ? t.eligibilityAll : t.eligibilityList}</dd>
            <dt>${t.reviewDiscoverability}</dt><dd class="discoverability">${o.discoverability === 'public' ? t.discoverPublic : t.discoverPrivate}</dd>
            ${limits.map(([label, v]) => html`<dt>${label}</dt><dd>${v ?? t.unlimited}</dd>`)}
          </dl>
          ${o.code_set ? html`<p><a href=${`/admin/v1/offers/${encodeURIComponent(o.id)}/codes.csv`} download>${t.codesCsv}</a></p>` : nothing}
        </section>
        <section class="card" aria-labelledby="edit-h">
          <h2 id="edit-h">${t.editTitle}</h2>
          ${editable
            ? html`${formAlert(this._problem)}
                <form @submit=${this.review} novalidate>
                  ${field({ name: 'ends_at', label: t.endsAt, type: 'date', value: dayIn(o.ends_at, tz), errors: this._problem.fields, help: t.datesHelp(tz) })}
                  <div class="field">
                    <label for="f-discoverability">${t.discoverability}</label>
                    <select id="f-discoverability" name="discoverability">
                      <option value="private" ?selected=${o.discoverability === 'private'}>${t.discoverPrivate}</option>
                      <option value="public" ?selected=${o.discoverability === 'public'}>${t.discoverPublic}</option>
                    </select>
                  </div>
                  <button type="submit" class="review">${t.reviewChange}</button>
                </form>`
            : html`<p class="muted">${t.notEditable}</p>`}
          ${o.eligibility === 'list' && editable
            ? html`<form @submit=${this.upload} novalidate>
                <h3>${t.uploadMoreUsers}</h3>
                <div class="field">
                  <label for="more-users">${t.eligibleUsersFile}</label>
                  <input id="more-users" type="file" accept=".csv,text/csv" @change=${(e: Event) => (this._file = (e.target as HTMLInputElement).files?.[0] ?? null)} />
                </div>
                ${this._uploadProblem ? html`<p class="error" role="alert">${this._uploadProblem}</p>` : nothing}
                <button type="submit" class="secondary">${t.upload}</button>
              </form>
              ${this._job ? html`<job-progress job-id=${this._job.id}></job-progress>` : nothing}`
            : nothing}
        </section>
      </div>
      ${this.renderDialog()}
    `;
  }

  override render() {
    return html`
      <p><a href="#/offers">${t.backToOffers}</a></p>
      ${this.loadTask.render({
        pending: () => (this._offer ? this.renderOffer(this._offer, null) : html`<h1>${t.loading}</h1>`),
        error: (e) => html`<h1>${t.errorTitle}</h1><div class="alert error" role="alert">${explain(e instanceof ApiError ? e : { code: 'network_error', status: 0 })}</div>`,
        complete: (catalog) => this.renderOffer(this._offer!, catalog),
      })}
    `;
  }
}
