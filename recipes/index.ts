// Recipes: ready-made jobs for Go and C, the supply chain, and presets that wire them together.
// `import { GoTest, CBuild, Push, GoPipeline, … } from 'kayci/recipes'`.
export { IMAGES, type ImageRole } from './images.ts';
export {
  at,
  idAndProps,
  needsWorkspace,
  outDir,
  recipeJob,
  script,
  sh,
  shWords,
  throwProblems,
  writeResult,
  type Problem,
  type RecipeJob,
  type RecipeProps,
  type Tools,
} from './common.ts';
export * from './go/index.ts';
export * from './c/index.ts';
export * from './supply-chain/index.ts';
export * from './presets/index.ts';
