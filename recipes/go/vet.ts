// GoVet: `go vet`, and a gofmt check on the same packages' files (go list's view, so vendor/
// and testdata/ are left alone, as the go command leaves them).
import { Job } from '../../constructs/job.ts';
import type { Pipeline } from '../../constructs/pipeline.ts';
import { IMAGES } from '../images.ts';
import { at, idAndProps, recipeJob, shWords, throwProblems } from '../common.ts';
import { GO_INSTALL, goCacheSetup, goPropProblems, tagsFlag, type GoRecipeProps } from './go.ts';

/** Props of GoVet. */
export interface GoVetProps extends GoRecipeProps {
  /**
   * Package patterns to vet.
   * @default ['./...']
   */
  readonly packages?: readonly string[];
  /**
   * Also fail when a Go file of these packages (tests and files for other platforms included)
   * is not formatted as `gofmt` would; the log lists them.
   * @default true
   */
  readonly gofmt?: boolean;
  /**
   * Extra `go vet` flags, e.g. `['-printf.funcs=Logf']`.
   * @default none
   */
  readonly flags?: readonly string[];
}

// Every Go file go list knows for a package, one absolute path per line.
const FILE_LISTS = ['GoFiles', 'CgoFiles', 'TestGoFiles', 'XTestGoFiles', 'IgnoredGoFiles'];
const GO_FILES_TEMPLATE = FILE_LISTS.map((list) => `{{range .${list}}}{{$.Dir}}/{{.}}{{println}}{{end}}`).join('');

/** `go vet` and a gofmt check, failing the job on any finding or unformatted file. No results. */
export class GoVet extends Job {
  constructor(scope: Pipeline, props?: GoVetProps);
  constructor(scope: Pipeline, id: string, props?: GoVetProps);
  constructor(scope: Pipeline, idOrProps?: string | GoVetProps, maybeProps?: GoVetProps) {
    const [id, props] = idAndProps(idOrProps, maybeProps, 'vet');
    const gofmt = props.gofmt ?? true;
    const packages = props.packages ?? ['./...'];
    throwProblems(at(scope, id), goPropProblems({ ...props, packages }));
    const tags = tagsFlag(props.tags);
    const lines = [shWords(['go', 'vet', ...tags, ...(props.flags ?? []), ...packages])];
    if (gofmt) {
      lines.push(
        `unformatted=$(${shWords(['go', 'list', ...tags, '-f', GO_FILES_TEMPLATE, ...packages])} | xargs -r gofmt -l)`,
        'if [ -n "$unformatted" ]; then',
        '  echo "gofmt: these files are not formatted; run gofmt -w on them:"',
        '  echo "$unformatted"',
        '  exit 1',
        'fi',
      );
    }
    const { caches, env } = goCacheSetup(props);
    super(scope, id, recipeJob(props, {
      image: IMAGES.go,
      run: lines.join('\n'),
      tools: gofmt ? { go: GO_INSTALL.go, gofmt: GO_INSTALL.gofmt } : { go: GO_INSTALL.go },
      env,
      caches,
    }));
  }
}
