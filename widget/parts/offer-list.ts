/**
 * The offers listed to this caller for the chosen plan, as radio choices: each card states the
 * discount (a flat one as what it really takes off this plan), the price per period and for how
 * many cycles, then the full price ("₹399.20 / month for 2 months, then ₹499.00").
 */
import { html, nothing } from 'lit';
import type { Plan, PublicOffer } from '../api.js';
import type { Format } from '../format.js';

export const offerList = (f: Format, plan: Plan, offers: PublicOffer[], chosen: string | null, choose: (code: string | null) => void) => {
  const usable = offers.filter((o) => o.code);
  if (usable.length === 0) return nothing;
  return html`<fieldset part="offers">
    <legend>${f.t.offersForYou}</legend>
    <label class="choice" part="offer">
      <input type="radio" name="offer" .checked=${chosen === null} @change=${() => choose(null)} />
      <span class="main"><span class="name">${f.t.noOffer}</span></span>
    </label>
    ${usable.map((o) => {
      const code = o.code!.toUpperCase();
      const priced = o.plans.find((p) => p.plan_id === plan.id);
      const due = priced ? priced.amount_due : plan.price;
      return html`<label class="choice" part="offer">
        <input type="radio" name="offer" .checked=${chosen === code} @change=${() => choose(code)} />
        <span class="main"
          ><span class="name">${f.discount(o.discount, plan.price)}</span
          ><span class="note terms">${f.terms(plan, due, o.subscription_limit)}</span
          ><span class="note">${f.t.code(code)}</span></span
        >
      </label>`;
    })}
  </fieldset>`;
};
