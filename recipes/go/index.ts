// Go recipes: vet, lint, test, vulnerability scan and per-platform builds, sharing one Go cache.
export { goCache, GO_TOOLS, GOLANGCI_LINT_VERSION, type GoRecipeProps } from './go.ts';
export { GO_PLATFORMS, goArchesFor, goPlatformProblem, type GoPlatform } from './platforms.ts';
export { GoBuild, type GoBuildProps } from './build.ts';
export { GoBuildMatrix, type GoBuildMatrixProps } from './build-matrix.ts';
export { GoTest, type GoTestProps } from './test.ts';
export { GoVet, type GoVetProps } from './vet.ts';
export { GoLint, type GoLintProps } from './lint.ts';
export { GoVulncheck, type GoVulncheckProps } from './vulncheck.ts';
