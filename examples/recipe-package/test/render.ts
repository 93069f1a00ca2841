// The pipelines this package's golden files hold, rendered the way `kayci synth` writes them.
import { App } from 'kayci';
import { toYaml } from 'kayci/synth';
import { AcmeGoService } from '../src/index.ts';

export const GOLDEN = new URL('./golden/', import.meta.url);

export function renderBilling(): { file: string; yaml: string; errors: unknown[] } {
  const app = new App();
  const billing = new AcmeGoService(app, 'billing', { service: 'billing', strict: true, build: { platforms: ['linux/amd64', 'linux/arm64'] } });
  const { file, documents, errors } = billing.render();
  return { file, yaml: toYaml(documents, 'examples/recipe-package/test/render.ts'), errors };
}
