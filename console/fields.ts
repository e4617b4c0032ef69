/**
 * Form fields with their label, help and error, and the mapping of a problem's
 * `errors[].path` onto the field of that name (input `name` = the API's field path).
 */
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { ApiError } from './api.js';
import { explain } from './messages.js';

/** Field errors by API path (`code`, `discount.value`, `ip_ranges.2`). */
export type FieldErrors = Record<string, string>;

export interface FormProblem {
  /** Errors on named fields. */
  fields: FieldErrors;
  /** What to say above the form (the problem in plain words), or null. */
  general: string | null;
}

export const NO_PROBLEM: FormProblem = { fields: {}, general: null };

/**
 * Splits a failure into field errors (shown on the fields whose names the API gave) and a
 * general message. `known` lists the field names the form has: errors on other paths are
 * folded into the general message so nothing is lost.
 */
export function problemOf(e: unknown, known: string[] = []): FormProblem {
  if (!(e instanceof ApiError)) return { fields: {}, general: explain({ code: 'network_error', status: 0 }) };
  const fields: FieldErrors = {};
  const orphans: string[] = [];
  for (const err of e.errors) {
    const name = known.length === 0 ? err.path : known.find((k) => err.path === k || err.path.startsWith(`${k}.`));
    if (name !== undefined) fields[err.path] = err.message;
    else orphans.push(`${err.path}: ${err.message}`);
  }
  const base = explain(e);
  // A 400 on named fields needs no sentence above the form; a conflict (409) or a rule (422) does.
  let general: string | null = Object.keys(fields).length > 0 && e.status === 400 ? null : base;
  if (orphans.length > 0) general = `${base} (${orphans.join('; ')})`;
  return { fields, general };
}

/** The error of field `name`: its own path or any sub-path (`ip_ranges` for `ip_ranges.2`). */
export function errorFor(errors: FieldErrors, name: string): string | undefined {
  if (errors[name]) return errors[name];
  const key = Object.keys(errors).find((k) => k.startsWith(`${name}.`));
  return key ? errors[key] : undefined;
}

export const fieldId = (name: string) => `f-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

export interface FieldOptions {
  name: string;
  label: string;
  errors: FieldErrors;
  /** Prefix of the element id, when two forms of one view share a field name. */
  idPrefix?: string;
  type?: string;
  value?: string | number | null;
  help?: string;
  required?: boolean;
  min?: number;
  max?: number;
  step?: string;
  autocomplete?: string;
  inputmode?: string;
  placeholder?: string;
  /** Rows for a textarea (`type: 'textarea'`). */
  rows?: number;
  list?: string;
  onInput?: (e: Event) => void;
  /** A message prefix for sub-path errors (`Line 3: …`). */
  describeError?: (path: string, message: string) => string;
}

/** A labelled input (or textarea) whose error and help are tied to it with aria-describedby. */
export function field(o: FieldOptions): TemplateResult {
  const id = fieldId(`${o.idPrefix ?? ''}${o.name}`);
  const path = o.errors[o.name] ? o.name : Object.keys(o.errors).find((k) => k.startsWith(`${o.name}.`));
  const error = path ? (o.describeError ? o.describeError(path, o.errors[path]!) : o.errors[path]) : undefined;
  const described = [o.help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const value = o.value === null || o.value === undefined ? '' : String(o.value);
  const control =
    o.type === 'textarea'
      ? html`<textarea id=${id} name=${o.name} rows=${o.rows ?? 4} .value=${value} ?required=${o.required}
          aria-invalid=${error ? 'true' : 'false'} aria-describedby=${ifDefined(described)} @input=${o.onInput}></textarea>`
      : html`<input id=${id} name=${o.name} type=${o.type ?? 'text'} .value=${value} ?required=${o.required}
          min=${ifDefined(o.min)} max=${ifDefined(o.max)} step=${ifDefined(o.step)} autocomplete=${ifDefined(o.autocomplete)}
          inputmode=${ifDefined(o.inputmode)} placeholder=${ifDefined(o.placeholder)} list=${ifDefined(o.list)}
          aria-invalid=${error ? 'true' : 'false'} aria-describedby=${ifDefined(described)} @input=${o.onInput} />`;
  return html`<div class="field">
    <label for=${id}>${o.label}</label>
    ${control}
    ${o.help ? html`<span class="help" id=${`${id}-help`}>${o.help}</span>` : nothing}
    ${error ? html`<span class="error" id=${`${id}-error`}>${error}</span>` : nothing}
  </div>`;
}

/** The general message of a form, as an alert (announced when it appears). */
export function formAlert(problem: FormProblem): TemplateResult | typeof nothing {
  return problem.general ? html`<div class="alert error" role="alert">${problem.general}</div>` : nothing;
}

/** Moves focus to the first invalid field of `root` (after a refused submit). */
export async function focusFirstInvalid(host: { updateComplete: Promise<unknown>; renderRoot: ParentNode }): Promise<void> {
  await host.updateComplete;
  const el = host.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]') ?? host.renderRoot.querySelector<HTMLElement>('[role="alert"]');
  if (el) {
    if (!el.hasAttribute('tabindex') && el.getAttribute('role') === 'alert') el.setAttribute('tabindex', '-1');
    el.focus();
  }
}

/** Reads a form's fields as strings. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A number field's value: undefined when empty, NaN when not a number. */
export function optionalInt(s: string | undefined): number | undefined {
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isInteger(n) ? n : NaN;
}

/** Lines of a textarea, trimmed, empty ones dropped. */
export const lines = (s: string | undefined) => (s ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
