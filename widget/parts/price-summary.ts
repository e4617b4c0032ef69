/** The price of the chosen plan: price per period, the discount and its code, what is due now, and the terms. */
import { html, nothing } from 'lit';
import type { Plan, Quote } from '../api.js';
import type { Format } from '../format.js';

export const priceSummary = (f: Format, plan: Plan, quote: Quote, code: string | null, busy: boolean) => {
  const off = quote.discount > 0;
  return html`<dl class="summary" part="summary" aria-busy=${busy ? 'true' : 'false'}>
    <dt>${f.t.price}</dt>
    <dd>${f.perPeriod(quote.price, quote.currency, plan.duration)}</dd>
    ${off
      ? html`<dt>${f.t.discount}${code ? ` (${code})` : ''}</dt>
          <dd class="ok">−${f.money(quote.discount, quote.currency)}</dd>`
      : nothing}
    <dt>${f.t.dueNow}</dt>
    <dd class="due">${f.money(quote.amount_due, quote.currency)}</dd>
    ${off ? html`<dd class="note">${f.terms(plan, quote.amount_due, quote.discounted_cycles)}</dd>` : nothing}
  </dl>`;
};
