/** The console's entry: defines every element once; index.html holds `<console-app>`. */
import { ConsoleApp } from './console-app.js';
import { SignInForm } from './sign-in-form.js';
import { OffersTable } from './offers-table.js';
import { OfferWizard } from './offer-wizard.js';
import { OfferDetails } from './offer-details.js';
import { CatalogView } from './catalog-view.js';
import { GroupsView } from './groups-view.js';
import { ExportsView } from './exports-view.js';
import { SettingsView } from './settings-view.js';
import { KeysPanel } from './keys-panel.js';
import { WebhooksPanel } from './webhooks-panel.js';
import { JobProgress } from './job-progress.js';

const elements: [string, CustomElementConstructor][] = [
  ['console-app', ConsoleApp],
  ['sign-in-form', SignInForm],
  ['offers-table', OffersTable],
  ['offer-wizard', OfferWizard],
  ['offer-details', OfferDetails],
  ['catalog-view', CatalogView],
  ['groups-view', GroupsView],
  ['exports-view', ExportsView],
  ['settings-view', SettingsView],
  ['keys-panel', KeysPanel],
  ['webhooks-panel', WebhooksPanel],
  ['job-progress', JobProgress],
];
for (const [name, ctor] of elements) if (!customElements.get(name)) customElements.define(name, ctor);
