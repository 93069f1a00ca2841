// App: a cdk8s App that stays quiet under `kayci synth`, which renders and writes the pipelines
// itself (linearly, with every error collected). Run directly, it synthesizes like any cdk8s App.
import { App as Cdk8sApp, type AppProps } from 'cdk8s';
import { synthHost } from './host.ts';

export class App extends Cdk8sApp {
  constructor(props: AppProps = {}) {
    super(props);
  }
  override synth(): void {
    if (synthHost()) return;
    super.synth();
  }
}
