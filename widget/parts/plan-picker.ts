/** The plan radio group: name, description and the price per period of each active plan. */
import { html, nothing } from 'lit';
import type { Plan } from '../api.js';
import type { Format } from '../format.js';

export const planPicker = (f: Format, plans: Plan[], selected: string | undefined, select: (id: string) => void) =>
  html`<fieldset part="plans">
    <legend>${f.t.choosePlan}</legend>
    ${plans.map(
      (p) => html`<label class="choice" part="plan">
        <input type="radio" name="plan" .value=${p.id} .checked=${p.id === selected} @change=${() => select(p.id)} />
        <span class="main"
          ><span class="name">${p.name}</span
          >${p.description ? html`<span class="note">${p.description}</span>` : nothing}</span
        >
        <span class="price">${f.perPeriod(p.price, p.currency, p.duration)}</span>
      </label>`,
    )}
  </fieldset>`;
