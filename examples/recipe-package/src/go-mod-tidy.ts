// GoModTidy: fails when go.mod or go.sum are not what `go mod tidy` would write — the kind of
// small team rule a shared recipe package is for. Built like kayci's own recipes: a Job with
// documented props, a pinned image from kayci's table, and the tool it needs declared.
import type { Pipeline } from 'kayci';
import { Job } from 'kayci';
import { goCache, IMAGES, recipeJob, type RecipeProps } from 'kayci/recipes';

export interface GoModTidyProps extends RecipeProps {
  /**
   * The module's directory, relative to the workspace.
   * @default '.'
   */
  readonly dir?: string;
}

/** `go mod tidy -diff`: prints what tidying would change, and fails if anything would. Result: `module`. */
export class GoModTidy extends Job<'module'> {
  constructor(scope: Pipeline, id = 'tidy', props: GoModTidyProps = {}) {
    super(scope, id, recipeJob(props, {
      image: IMAGES.go,
      tools: { go: 'https://go.dev/doc/install' },
      caches: [goCache],
      env: { GOMODCACHE: goCache.path('mod'), GOCACHE: goCache.path('build') },
      results: ['module'],
      run: [
        `cd ${JSON.stringify(props.dir ?? '.')}`,
        'go mod tidy -diff',
        'echo "module=$$(go list -m)" >> "$KAYCI_RESULTS_FILE"',
      ].join('\n'),
    }));
  }
}
