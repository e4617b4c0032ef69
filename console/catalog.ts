/** The tenant's products and plans, loaded once and shared by the views (small lists). */
import { all, type Plan, type Product } from './api.js';

export interface Catalog {
  products: Product[];
  plans: Plan[];
  productName: (id: string) => string;
  planName: (id: string) => string;
}

let cached: { at: number; value: Promise<Catalog> } | null = null;
const FRESH_MS = 10_000;

function build(products: Product[], plans: Plan[]): Catalog {
  const productNames = new Map(products.map((p) => [p.id, p.name]));
  const planNames = new Map(plans.map((p) => [p.id, p.name]));
  return {
    products,
    plans,
    productName: (id) => productNames.get(id) ?? id,
    planName: (id) => planNames.get(id) ?? id,
  };
}

/** Products and plans (cached for a few seconds; `forgetCatalog()` after a write). */
export function loadCatalog(signal?: AbortSignal): Promise<Catalog> {
  if (cached && Date.now() - cached.at < FRESH_MS) return cached.value;
  const value = Promise.all([all<Product>('/products', signal), all<Plan>('/plans', signal)]).then(([products, plans]) => build(products, plans));
  cached = { at: Date.now(), value };
  value.catch(() => {
    if (cached?.value === value) cached = null;
  });
  return value;
}

export function forgetCatalog(): void {
  cached = null;
}
